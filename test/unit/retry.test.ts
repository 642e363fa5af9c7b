/** The core's backoff (`shared/core/retry.ts`): the doubling, capped schedule, and full jitter under it. */
import { describe, expect, it } from 'vitest';
import { backoff, backoffCeiling, jitteredDelay } from '../../shared/core/index.ts';
import { SteppingClock } from '../../shared/core/testing/index.ts';

const policy = { baseMs: 500, maxMs: 30_000 };

describe('backoff', () => {
  it.each([
    [1, 500],
    [2, 1_000],
    [4, 4_000],
    [7, 30_000],
    [101, 30_000],
  ])('before retry %i the ceiling is %i ms: doubling from the base, capped', (attempt, ceiling) => {
    expect(backoffCeiling(attempt, policy)).toBe(ceiling);
    // Full jitter spreads the wait over [0, ceiling).
    expect(jitteredDelay(attempt, policy, () => 0)).toBe(0);
    expect(jitteredDelay(attempt, policy, () => 0.5)).toBe(ceiling / 2);
    expect(jitteredDelay(attempt, policy, () => 0.999_999)).toBe(ceiling - 1);
  });

  it('reads an attempt below 1 as the first, and stays finite however many attempts', () => {
    expect(backoffCeiling(0, policy)).toBe(500);
    expect(backoffCeiling(Number.MAX_SAFE_INTEGER, { baseMs: 1, maxMs: Number.POSITIVE_INFINITY })).toBe(
      2 ** 30,
    );
  });

  it('sleeps the jittered wait on the clock it is given', async () => {
    const clock = new SteppingClock(0, 0);
    await backoff(clock, 3, policy, () => 0.25);
    expect(clock.now()).toBe(500);
  });
});
