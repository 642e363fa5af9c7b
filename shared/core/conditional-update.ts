/**
 * Read-modify-write of one stored document under optimistic concurrency, shared by ingest and sync: compute the
 * new document from the current one, write it conditionally on the revision read, and on a conflict re-read and
 * recompute (never blindly re-write), backing off with jitter. Throttling and transient unavailability are retried
 * the same bounded way; anything else is not ours to retry and is thrown.
 */
import { ConflictError, isTransient } from './errors.ts';
import type { AggregateStore, Clock } from './ports.ts';
import { type BackoffPolicy, backoff } from './retry.ts';
import type { StoredDocument } from './window-document.ts';

export interface UpdatePolicy {
  clock: Clock;
  random: () => number;
  maxAttempts: number;
  backoff: BackoffPolicy;
}

export interface UpdateOutcome<D> {
  written: boolean;
  /** The document as stored after the update: what was written, or what was read when nothing changed. */
  document: D | undefined;
  /** Conditional writes lost to another writer, each followed by a re-read. */
  conflicts: number;
  /** Other transient failures retried (throttling, unavailability). */
  retries: number;
}

export async function updateDocument<D extends StoredDocument>(
  store: AggregateStore,
  id: string,
  current: D | undefined,
  change: (current: D | undefined) => D | undefined,
  policy: UpdatePolicy,
): Promise<UpdateOutcome<D>> {
  let conflicts = 0;
  let retries = 0;
  for (let attempt = 1; ; attempt++) {
    try {
      const next = change(current);
      if (!next) return { written: false, document: current, conflicts, retries };
      await store.write(next, current?.revision ?? 0);
      return { written: true, document: next, conflicts, retries };
    } catch (error) {
      if (!isTransient(error) || attempt >= policy.maxAttempts) throw error;
      if (error instanceof ConflictError) conflicts++;
      else retries++;
      await backoff(policy.clock, attempt, policy.backoff, policy.random);
      // Whatever failed, the stored document may have moved on: recompute from what is there now.
      try {
        current = (await store.read([id])).get(id) as D | undefined;
      } catch (readError) {
        if (!isTransient(readError)) throw readError;
      }
    }
  }
}
