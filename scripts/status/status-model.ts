/**
 * What `tricloud status` knows about the three clouds at one moment: the model the text renderer, `--json` and the
 * live page all show. Every part a cloud or a local server cannot report is absent and said in `notes`, never
 * guessed: an operator must tell "zero" from "unknown".
 */
import { ORIGINS, type Origin } from '../../shared/core/index.ts';

/** The transport's view: messages waiting, in flight, and in its dead-letter place. */
export interface TransportStatus {
  kind: 'SQS' | 'Pub/Sub' | 'Event Hubs';
  /** Messages (events) waiting to be delivered; absent when the transport cannot say. */
  backlog?: number;
  /** Messages delivered and not yet settled (SQS: received, not deleted). */
  inFlight?: number;
  /** Event Hubs: each partition's last enqueued sequence number against the consumer group's checkpoint. */
  partitions?: PartitionBacklog[];
  /** Messages in the transport's dead-letter place (SQS DLQ, Pub/Sub dead-letter subscription). */
  deadLetterDepth?: number;
  /** True when `deadLetterDepth` is a lower bound (a peek stops at a cap). */
  deadLetterDepthAtLeast?: boolean;
}

export interface PartitionBacklog {
  partition: string;
  /** -1 for a partition that never held an event. */
  lastEnqueued: number;
  /** The sequence number of the last event the consumer group checkpointed, when a checkpoint store was given. */
  checkpoint?: number;
  /** Events enqueued after the checkpoint; absent without a checkpoint store. */
  behind?: number;
}

export interface ReasonCount {
  /** The rule a letter broke, without the value it quoted (`seq must be …`, not `…, got 1.5`). */
  reason: string;
  count: number;
  /** Epoch ms of the newest letter of this reason. */
  lastAt: number;
}

export interface DeadLetterSummary {
  /** Letters read (all of them unless `complete` is false). */
  total: number;
  /** Letters written in the hour before the model's time. */
  lastHour: number;
  /** Whole messages the store refused for good (Azure's stand-in for a transport dead-letter queue). */
  refusedMessages: number;
  byReason: ReasonCount[];
  /** False when the listing stopped at its cap: the counts are then lower bounds. */
  complete: boolean;
}

export interface SeriesSpan {
  series: string;
  window: string;
  /** Start of the first and last window the store holds, epoch ms. */
  first: number;
  last: number;
}

export interface DocumentSummary {
  windows: number;
  slices: number;
  /** Windows whose merged view is not exact (`exact: false`): partially overlapping parts or a conflict. */
  inexact: number;
  /** Of those, windows where clouds hold different records under the same ids (`conflict`). */
  conflicts: number;
  series: SeriesSpan[];
  /** False while the first listing of the store has not reached its end. */
  complete: boolean;
}

/** Where this cloud's store stands in one source's change order (the watermark in its sync state). */
export interface SourceSync {
  source: Origin;
  /** `updatedAt` of the newest source change this store has applied; absent before the first sync. */
  watermarkAt?: number;
  /** When a sync run into this store last read the source to its end; absent before one has. */
  lastRunAt?: number;
  /** Source changes after the watermark, not yet pulled. */
  pending?: number;
  /** True when `pending` is a lower bound (the count stops at a cap). */
  pendingAtLeast?: boolean;
  /** How old the oldest change not yet pulled is, ms; 0 when caught up. */
  lagMs?: number;
  /** Slices the last runs could not write here, retried on every run. */
  retrying?: number;
  /** Why part of this could not be told (the source or the sync state did not answer). */
  error?: string;
}

export interface CloudFailures {
  /** Dead letters written in the last hour (from the dead-letter store, which every cloud can tell). */
  deadLettersLastHour?: number;
  /** Failed messages per reason as the functions' own log lines count them, when the caller reads those lines. */
  functionFailures?: Record<string, number>;
}

export interface CloudStatus {
  cloud: Origin;
  /** True when every service of this cloud answered within the deadline. */
  reachable: boolean;
  /** Why not, one sentence per service that failed: `DynamoDB: connect ECONNREFUSED 127.0.0.1:4566`. */
  problems: string[];
  /** Whether the environment points this cloud at local servers (emulators) rather than the cloud. */
  local: boolean;
  transport?: TransportStatus;
  deadLetters?: DeadLetterSummary;
  documents?: DocumentSummary;
  sync: SourceSync[];
  failures: CloudFailures;
  /** What this cloud (or its local server) cannot report, and why, in plain words. */
  notes: string[];
  /** How long this cloud's checks took, ms. */
  tookMs: number;
}

export interface StatusModel {
  /** Epoch ms when the checks started. */
  at: number;
  /** Increases with every gathering, so a page can tell a new model from the same one. */
  version: number;
  clouds: Record<Origin, CloudStatus>;
  /** What no cloud's stores can tell, said once (a sync run's time is recorded nowhere a store keeps). */
  notes: string[];
}

/** The services of each cloud, by the names problems are reported under. */
export const SERVICES: Record<Origin, { transport: string; store: string }> = {
  aws: { transport: 'SQS', store: 'DynamoDB' },
  gcp: { transport: 'Pub/Sub', store: 'Firestore' },
  azure: { transport: 'Event Hubs', store: 'Cosmos DB' },
};

export function allReachable(model: StatusModel): boolean {
  return ORIGINS.every((o) => model.clouds[o].reachable);
}

/** `tricloud status`'s exit code: 0 when every cloud answered, 2 when one or more did not (1 is a bad option). */
export function statusExitCode(model: StatusModel): number {
  return allReachable(model) ? 0 : 2;
}
