/**
 * Read-modify-write of one window document under optimistic concurrency, shared by ingest and sync: compute the
 * new document from the current one, write it conditionally on the revision read, and on a conflict re-read and
 * recompute (never blindly re-write), backing off with jitter. Throttling and transient unavailability are retried
 * the same bounded way; anything else is not ours to retry and is thrown.
 */
import { ConflictError, isTransient } from './errors.ts';
import type { AggregateStore, Clock } from './ports.ts';
import { type BackoffPolicy, backoff } from './retry.ts';
import type { WindowDocument } from './window-document.ts';

export interface UpdatePolicy {
  clock: Clock;
  random: () => number;
  maxAttempts: number;
  backoff: BackoffPolicy;
}

export interface UpdateOutcome {
  written: boolean;
  /** Conditional writes lost to another writer, each followed by a re-read. */
  conflicts: number;
  /** Other transient failures retried (throttling, unavailability). */
  retries: number;
}

export async function updateDocument(
  store: AggregateStore,
  id: string,
  current: WindowDocument | undefined,
  change: (current: WindowDocument | undefined) => WindowDocument | undefined,
  policy: UpdatePolicy,
): Promise<UpdateOutcome> {
  let conflicts = 0;
  let retries = 0;
  for (let attempt = 1; ; attempt++) {
    try {
      const next = change(current);
      if (!next) return { written: false, conflicts, retries };
      await store.write(next, current?.revision ?? 0);
      return { written: true, conflicts, retries };
    } catch (error) {
      if (!isTransient(error) || attempt >= policy.maxAttempts) throw error;
      if (error instanceof ConflictError) conflicts++;
      else retries++;
      await backoff(policy.clock, attempt, policy.backoff, policy.random);
      // Whatever failed, the stored document may have moved on: recompute from what is there now.
      try {
        current = (await store.read([id])).get(id);
      } catch (readError) {
        if (!isTransient(readError)) throw readError;
      }
    }
  }
}
