/**
 * The ingest use case (DESIGN §4), one for all three clouds: validate → dead-letter the invalid → group by window
 * document → for each document, with bounded parallelism, read, add only the seqs this origin's part lacks, write
 * conditionally on the revision, retry conflicts → report which *messages* failed so only they come back.
 *
 * Store work is one batched read of every document the invocation touches, then one conditional write per
 * document that gained records — not per record.
 */
import pLimit from 'p-limit';
import { type UpdatePolicy, updateDocument } from './conditional-update.ts';
import { type PermanentReason, PermanentStoreError } from './errors.ts';
import { type InboundMessage, payloadText, prepareBatch } from './ingest-batch.ts';
import type { Origin } from './origin.ts';
import { addToPart, emptyPart } from './part.ts';
import type { AggregateStore, Clock, DeadLetterSink } from './ports.ts';
import { type BackoffPolicy, DEFAULT_BACKOFF } from './retry.ts';
import { LatenessGate, type WindowSpec } from './window.ts';
import { type WindowDocument, withParts } from './window-document.ts';

export interface IngestOptions {
  origin: Origin;
  windows: readonly WindowSpec[];
  /** Dead-letter records older than this behind the newest event time seen for their series (DESIGN §2). */
  maxLatenessMs?: number;
  /** Documents written at once. */
  concurrency?: number;
  /** Attempts per document write before its messages are reported failed. */
  maxAttempts?: number;
  backoff?: BackoffPolicy;
  /**
   * What happens to a message a store refused for good ({@link PermanentStoreError}): `redeliver` reports it failed,
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

export interface IngestReport {
  messages: number;
  rows: number;
  valid: number;
  invalid: number;
  late: number;
  undecodable: number;
  /** (record, window) pairs counted for the first time: records × window sizes on a fresh stream. */
  added: number;
  /** (record, window) pairs this origin had already counted (redeliveries, duplicates). */
  skipped: number;
  documents: number;
  writes: number;
  conflicts: number;
  retries: number;
  deadLetters: number;
  failedDocuments: number;
  /** Batch ids of the envelopes read, for correlating this invocation with the producer's run. */
  batchIds: string[];
  /** The first failure's message, for the log line; the failed messages are in `failedMessageIds`. */
  firstError?: string;
  /** Failed messages per reason (`transient`, or a {@link PermanentReason}): what the metric line names. */
  failureReasons: Record<string, number>;
}

/** One message that could not be stored, and why. */
export interface MessageFailure {
  messageId: string;
  /** The error's sentence, as the store adapter phrased it. */
  error: string;
  /** Set when retrying cannot help: the store refused for good. */
  permanent?: PermanentReason;
}

export interface IngestResult {
  /** Messages to redeliver: only these, never the whole batch. */
  failedMessageIds: string[];
  /** Why each message failed: those in `failedMessageIds`, and those dead-lettered for a permanent refusal. */
  failures: MessageFailure[];
  report: IngestReport;
}

export type Ingest = (messages: readonly InboundMessage[]) => Promise<IngestResult>;

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
    const failed = new Set<string>();
    const report: IngestReport = {
      messages: messages.length,
      rows: batch.rows,
      valid: batch.valid,
      invalid: batch.invalid,
      late: batch.late,
      undecodable: batch.undecodable,
      added: 0,
      skipped: 0,
      documents: batch.groups.size,
      writes: 0,
      conflicts: 0,
      retries: 0,
      deadLetters: batch.deadLetters.length,
      failedDocuments: 0,
      batchIds: batch.batchIds,
      failureReasons: {},
    };
    const failures = new Map<string, MessageFailure>();
    const fail = (messageIds: Iterable<string>, error: unknown) => {
      const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      const permanent = error instanceof PermanentStoreError ? error.reason : undefined;
      for (const id of messageIds) {
        failed.add(id);
        const known = failures.get(id);
        // A transient failure wins: the message must come back, whatever else refused it for good.
        if (!known || (known.permanent && !permanent)) {
          failures.set(id, { messageId: id, error: text, ...(permanent ? { permanent } : {}) });
        }
      }
      report.firstError ??= text;
    };

    const deadLettering = batch.deadLetters.length
      ? deadLetters.put(batch.deadLetters).catch((error: unknown) => {
          fail(
            batch.deadLetters.map((l) => l.messageId),
            error,
          );
        })
      : Promise.resolve();

    let stored: Map<string, WindowDocument>;
    try {
      stored = batch.groups.size ? await store.read([...batch.groups.keys()]) : new Map();
    } catch (error) {
      for (const group of batch.groups.values()) fail(group.messageIds, error);
      report.failedDocuments = batch.groups.size;
      await deadLettering;
      return { failedMessageIds: [...failed], failures: [...failures.values()], report };
    }

    await Promise.all(
      [...batch.groups].map(([id, group]) =>
        limit(async () => {
          let added = 0;
          let skipped = 0;
          try {
            const outcome = await updateDocument(
              store,
              id,
              stored.get(id),
              (current) => {
                const own = current?.parts[options.origin] ?? emptyPart();
                const update = addToPart(own, group.records);
                // Re-computed on every attempt: after a conflict the part may already hold some of these seqs.
                added = update?.added ?? 0;
                skipped = group.records.length - added;
                if (!update) return undefined;
                return withParts(
                  group.key,
                  current,
                  { ...current?.parts, [options.origin]: update.part },
                  clock.now(),
                );
              },
              policy,
            );
            report.conflicts += outcome.conflicts;
            report.retries += outcome.retries;
            if (outcome.written) report.writes++;
            report.added += added;
            report.skipped += skipped;
          } catch (error) {
            report.failedDocuments++;
            fail(group.messageIds, error);
          }
        }),
      ),
    );
    await deadLettering;
    if (options.onPermanentFailure === 'dead-letter') {
      await deadLetterRefused(messages, failures, failed, options.origin, now, deadLetters);
    }
    for (const failure of failures.values()) {
      const reason = failure.permanent ?? 'transient';
      report.failureReasons[reason] = (report.failureReasons[reason] ?? 0) + 1;
    }
    return {
      failedMessageIds: messages.map((m) => m.id).filter((id) => failed.has(id)),
      failures: [...failures.values()],
      report,
    };
  };
}

/**
 * Dead-letters, whole, each message that failed only for permanent reasons, and takes it off the failed list:
 * retrying cannot store it, and replaying the letter later is harmless for the parts that were stored (ingest is
 * idempotent). If the dead-letter write itself fails, the message stays failed, so nothing is dropped.
 */
async function deadLetterRefused(
  messages: readonly InboundMessage[],
  failures: ReadonlyMap<string, MessageFailure>,
  failed: Set<string>,
  origin: Origin,
  now: number,
  sink: DeadLetterSink,
): Promise<void> {
  const refused = messages.filter((m) => failures.get(m.id)?.permanent);
  if (refused.length === 0) return;
  const letters = refused.map((m) => ({
    id: m.id,
    origin,
    messageId: m.id,
    reason: `the store refused it for good (${failures.get(m.id)!.permanent}): ${failures.get(m.id)!.error}`,
    payload: payloadText(m.body),
    at: now,
  }));
  try {
    await sink.put(letters);
    for (const m of refused) failed.delete(m.id);
  } catch {
    // Left failed: the platform redelivers, and the next attempt dead-letters it again.
  }
}
