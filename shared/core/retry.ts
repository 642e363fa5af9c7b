/**
 * Retry with capped exponential backoff: the wait before each retry doubles up to a cap. Clients that contend (writers
 * racing for one document, producers dropped by the same server restart) take a random wait under that ceiling —
 * full jitter — so they spread out instead of colliding again; a client that retries alone against its own service
 * (a producer's lane, a page fetch) can wait the ceiling itself, a deterministic doubling schedule.
 */
import type { Clock } from './ports.ts';

export interface BackoffPolicy {
  /** The ceiling before the first retry. */
  baseMs: number;
  /** The ceiling the doubling never exceeds. */
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 10, maxMs: 2_000 };

/** The ceiling before retry number `attempt` (1-based): `base · 2^(attempt−1)`, capped at `maxMs`. */
export function backoffCeiling(attempt: number, policy: BackoffPolicy): number {
  return Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(Math.max(attempt, 1) - 1, 30));
}

/** Full jitter: a random wait from 0 up to (not including) the ceiling of retry number `attempt` (1-based). */
export function jitteredDelay(attempt: number, policy: BackoffPolicy, random: () => number): number {
  return Math.floor(random() * backoffCeiling(attempt, policy));
}

/** Waits before retry number `attempt` (1-based): a random time up to `base · 2^(attempt-1)`, capped. */
export function backoff(
  clock: Clock,
  attempt: number,
  policy: BackoffPolicy,
  random: () => number,
): Promise<void> {
  return clock.sleep(jitteredDelay(attempt, policy, random));
}
