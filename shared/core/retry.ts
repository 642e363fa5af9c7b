/** Retry with capped exponential backoff and full jitter, so contending writers spread out instead of colliding. */
import type { Clock } from './ports.ts';

export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 10, maxMs: 2_000 };

/** Waits before retry number `attempt` (1-based): a random time up to `base · 2^(attempt-1)`, capped. */
export function backoff(
  clock: Clock,
  attempt: number,
  policy: BackoffPolicy,
  random: () => number,
): Promise<void> {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(attempt - 1, 30));
  return clock.sleep(Math.floor(random() * ceiling));
}
