/**
 * The ingest use case (DESIGN §4), one for all three clouds: validate → dead-letter the invalid → group by slice
 * and window document → for each window, with bounded parallelism: add only the seqs this origin's part of each
 * slice lacks, write conditionally on the revision, retry conflicts, then refresh the window from its slices →
 * report which *messages* failed so only they come back.
 *
 * Store work is one batched read of every slice and window the invocation touches, then one conditional write per
 * slice that gained records and one per window whose view changed (and per summary node of a window split into a
 * tree, `summary-tree.ts`) — not per record.
 */
import pLimit from 'p-limit';
import { boundedStore } from './bounded-store.ts';
import type { UpdatePolicy } from './conditional-update.ts';
import { type DocumentGroup, type InboundMessage, prepareBatch } from './ingest-batch.ts';
import { IngestOutcome, type IngestResult } from './ingest-outcome.ts';
import { ingestWindow, type WindowWork } from './ingest-window.ts';
import type { Origin } from './origin.ts';
import type { AggregateStore, Clock, DeadLetterSink } from './ports.ts';
import { type BackoffPolicy, DEFAULT_BACKOFF } from './retry.ts';
import { LatenessGate, type WindowSpec } from './window.ts';
import type { StoredDocument } from './window-document.ts';

export type { IngestReport, IngestResult, MessageFailure } from './ingest-outcome.ts';

export interface IngestOptions {
  origin: Origin;
  windows: readonly WindowSpec[];
  /** Dead-letter records older than this behind the newest event time seen for their series (DESIGN §2). */
  maxLatenessMs?: number;
  /** Window documents written at once. */
  concurrency?: number;
  /** Attempts per document write before its messages are reported failed. */
  maxAttempts?: number;
  backoff?: BackoffPolicy;
  /**
   * What happens to a message a store refused for good (`PermanentStoreError`): `redeliver` reports it failed,
   * so the platform's own dead-letter path takes it after its delivery limit (SQS redrive, Pub/Sub dead-letter
   * topic); `dead-letter` writes the whole message to the dead-letter sink with the reason and reports it done
   * (Event Hubs, which has no dead-letter queue and whose host checkpoints past failures anyway).
   */
  onPermanentFailure?: 'redeliver' | 'dead-letter';
}

export interface IngestDeps {
  store: AggregateStore;
  deadLetters: DeadLetterSink;
  clock: Clock;
  random?: () => number;
}

export type Ingest = (messages: readonly InboundMessage[]) => Promise<IngestResult>;

/**
 * Store calls in flight at once for one invocation, across its windows: ids scattered over many slices make a
 * window write thousands of slices and summary nodes, which would otherwise all be sent together.
 */
const STORE_CALLS_AT_ONCE = 64;

/** Builds the ingest use case once per process; the returned function is called per invocation. */
export function createIngest(deps: IngestDeps, options: IngestOptions): Ingest {
  const { store, deadLetters, clock } = deps;
  const limit = pLimit(options.concurrency ?? 16);
  const lateness = options.maxLatenessMs === undefined ? undefined : new LatenessGate(options.maxLatenessMs);
  const policy: UpdatePolicy = {
    clock,
    random: deps.random ?? Math.random,
    maxAttempts: options.maxAttempts ?? 8,
    backoff: options.backoff ?? DEFAULT_BACKOFF,
  };

  return async (messages) => {
    const now = clock.now();
    const batch = prepareBatch(messages, options.origin, options.windows, now, lateness);
    const byWindow = new Map<string, DocumentGroup[]>();
    for (const group of batch.groups.values()) {
      const groups = byWindow.get(group.windowId);
      if (groups) groups.push(group);
      else byWindow.set(group.windowId, [group]);
    }
    const outcome = new IngestOutcome(messages.length, batch, byWindow.size);
    const invalid = outcome.putLetters(deadLetters, batch.deadLetters);

    let stored: Map<string, StoredDocument> = new Map();
    try {
      if (byWindow.size) stored = await store.read([...batch.groups.keys(), ...byWindow.keys()]);
    } catch (error) {
      for (const group of batch.groups.values()) outcome.fail(group.messageIds, error);
      outcome.report.failedDocuments = batch.groups.size;
      await invalid;
      // A read refused for good (a missing container) is a permanent failure too: left failed, Azure's loop spins.
      if (options.onPermanentFailure === 'dead-letter') {
        await outcome.deadLetterRefused(messages, options.origin, now, deadLetters);
      }
      return outcome.result(messages);
    }

    const work: WindowWork = {
      store: boundedStore(store, pLimit(STORE_CALLS_AT_ONCE)),
      origin: options.origin,
      policy,
      stored,
      outcome,
      now: () => clock.now(),
    };
    await Promise.all([...byWindow].map(([id, groups]) => limit(() => ingestWindow(work, id, groups))));
    await invalid;
    if (options.onPermanentFailure === 'dead-letter') {
      await outcome.deadLetterRefused(messages, options.origin, now, deadLetters);
    }
    return outcome.result(messages);
  };
}
