/**
 * An Azure Functions retry policy (`retry` of a function's registration, `@azure/functions`' `RetryOptions`) as
 * the host applies it to a failed invocation: how many retries, and the wait before each. The local Event Hubs
 * host takes the function's own declaration through this, so the two cannot drift.
 */
import type { Duration, RetryOptions } from '@azure/functions';
import { backoffCeiling } from '../../shared/core/index.ts';

export interface RetrySchedule {
  /** Retries after the first attempt; `Infinity` for `maxRetryCount: -1`, which retries without end. */
  maxRetries: number;
  /** The wait before retry number `retry` (1-based), in ms. */
  delayBefore(retry: number): number;
}

/**
 * `fixedDelay` waits `delayInterval` before every retry. `exponentialBackoff` waits `minimumInterval` before the
 * first and doubles the wait each time up to `maximumInterval`, as the Functions host does (which also adds a
 * little randomness to each wait; one local host has nobody to spread out from, so it waits the schedule itself).
 */
export function retrySchedule(policy: RetryOptions): RetrySchedule {
  const { maxRetryCount } = policy;
  if (!Number.isInteger(maxRetryCount) || maxRetryCount < -1) {
    throw new RangeError(
      `A retry policy's maxRetryCount must be a whole number of retries, or -1 for without end; got ${maxRetryCount}.`,
    );
  }
  const maxRetries = maxRetryCount === -1 ? Number.POSITIVE_INFINITY : maxRetryCount;
  if (policy.strategy === 'fixedDelay') {
    const delay = milliseconds(policy.delayInterval);
    return { maxRetries, delayBefore: () => delay };
  }
  const backoff = {
    baseMs: milliseconds(policy.minimumInterval),
    maxMs: milliseconds(policy.maximumInterval),
  };
  if (backoff.maxMs < backoff.baseMs) {
    throw new RangeError(
      `A retry policy's maximumInterval (${backoff.maxMs} ms) is shorter than its minimumInterval (${backoff.baseMs} ms).`,
    );
  }
  return { maxRetries, delayBefore: (retry) => backoffCeiling(retry, backoff) };
}

/** A duration as `@azure/functions` takes it: milliseconds, or an object of hours, minutes, seconds, ms. */
function milliseconds(duration: Duration | number): number {
  if (typeof duration === 'number') return duration;
  const { hours = 0, minutes = 0, seconds = 0, milliseconds = 0 } = duration;
  return ((hours * 60 + minutes) * 60 + seconds) * 1_000 + milliseconds;
}
