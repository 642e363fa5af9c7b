/**
 * An Azure Functions retry policy as the local Event Hubs host applies it: the retries it allows and the wait
 * before each, from the function's own declaration — and that declaration is the one the ingest function
 * registers, so the host cannot apply another.
 */
import { app } from '@azure/functions';
import { describe, expect, it, vi } from 'vitest';
import { INGEST_RETRY } from '../../functions/azure/ingest-trigger.ts';
import { retrySchedule } from '../../scripts/trigger-hosts/function-retry.ts';

const waits = (schedule: ReturnType<typeof retrySchedule>, count: number) =>
  Array.from({ length: count }, (_, i) => schedule.delayBefore(i + 1));

describe('a function retry policy', () => {
  it('exponentialBackoff waits the minimum first, then doubles up to the maximum', () => {
    const schedule = retrySchedule({
      strategy: 'exponentialBackoff',
      maxRetryCount: 5,
      minimumInterval: 100,
      maximumInterval: 1_000,
    });
    expect(schedule.maxRetries).toBe(5);
    expect(waits(schedule, 6)).toEqual([100, 200, 400, 800, 1_000, 1_000]);
  });

  it('maxRetryCount -1 retries without end', () => {
    expect(retrySchedule({ ...INGEST_RETRY, maxRetryCount: -1 }).maxRetries).toBe(Number.POSITIVE_INFINITY);
    expect(retrySchedule({ ...INGEST_RETRY, maxRetryCount: 0 }).maxRetries).toBe(0);
  });

  it('fixedDelay waits its interval every time, given as milliseconds or as a duration', () => {
    const asNumber = retrySchedule({ strategy: 'fixedDelay', maxRetryCount: 3, delayInterval: 250 });
    expect(waits(asNumber, 3)).toEqual([250, 250, 250]);
    const asDuration = retrySchedule({
      strategy: 'fixedDelay',
      maxRetryCount: 1,
      delayInterval: { hours: 1, minutes: 2, seconds: 3, milliseconds: 4 },
    });
    expect(asDuration.delayBefore(1)).toBe(3_723_004);
  });

  it('refuses a policy the host would refuse, saying what is wrong', () => {
    expect(() => retrySchedule({ ...INGEST_RETRY, maxRetryCount: -2 })).toThrow(/-1 for without end; got -2/);
    expect(() => retrySchedule({ ...INGEST_RETRY, maxRetryCount: 1.5 })).toThrow(/whole number/);
    expect(() =>
      retrySchedule({ ...INGEST_RETRY, minimumInterval: { seconds: 2 }, maximumInterval: 1_000 }),
    ).toThrow(/maximumInterval \(1000 ms\) is shorter than its minimumInterval \(2000 ms\)/);
  });
});

describe('the ingest function’s declared policy', () => {
  it('is the one the function registers: without end, 1 s doubling to 60 s', async () => {
    const register = vi.spyOn(app, 'eventHub').mockImplementation(() => {});
    vi.resetModules();
    await import('../../functions/azure/ingest.ts');
    const [, options] = register.mock.calls[0] ?? [];
    register.mockRestore();

    expect(options?.retry).toEqual(INGEST_RETRY);
    const schedule = retrySchedule(INGEST_RETRY);
    expect(schedule.maxRetries).toBe(Number.POSITIVE_INFINITY);
    expect(waits(schedule, 8)).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000]);
  });
});
