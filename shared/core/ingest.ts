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
import { type InboundMessage, prepareBatch } from './ingest-batch.ts';
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
}

export interface IngestResult {
  /** Messages to redeliver: only these, never the whole batch. */
  failedMessageIds: string[];
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
    };
    const fail = (messageIds: Iterable<string>, error: unknown) => {
      for (const id of messageIds) failed.add(id);
      report.firstError ??= error instanceof Error ? `${error.name}: ${error.message}` : String(error);
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
      return { failedMessageIds: [...failed], report };
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
    return { failedMessageIds: messages.map((m) => m.id).filter((id) => failed.has(id)), report };
  };
}
