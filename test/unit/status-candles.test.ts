/** Each cloud's candles for the live page: the range to read, and a cloud that does not answer in time. */
import { describe, expect, it } from 'vitest';
import { candleRange, readCandles } from '../../scripts/status/candles.ts';
import { within } from '../../scripts/status/deadline.ts';
import { createIngest, parseWindows } from '../../shared/core/index.ts';
import { ManualClock, MemoryStore } from '../../shared/core/testing/index.ts';
import { messagesOf, record, T0 } from '../helpers/records.ts';

const MINUTE = 60_000;

describe('candleRange', () => {
  const spans = [
    { series: 'S', window: '1m', first: 0, last: 100 * MINUTE },
    { series: 'S', window: '1m', first: 0, last: 120 * MINUTE },
    { series: 'S', window: '1h', first: 0, last: 999 * MINUTE },
  ];

  it('ends with the newest window any store holds for the series and size', () => {
    expect(candleRange(spans, 'S', '1m', 0, 60)).toEqual({ from: 61 * MINUTE, to: 121 * MINUTE });
  });

  it('ends at now for a series no store is known to hold', () => {
    expect(candleRange(spans, 'T', '1m', 10 * MINUTE + 5, 3)).toEqual({ from: 8 * MINUTE, to: 11 * MINUTE });
  });

  it('refuses a window size that does not tile a day', () => {
    expect(() => candleRange(spans, 'S', '7m', 0)).toThrow(/does not divide a day/);
  });
});

describe('readCandles', () => {
  it("reads each cloud's windows, and says which did not answer or is not configured", async () => {
    const store = new MemoryStore();
    const ingest = createIngest(
      { store, deadLetters: store, clock: new ManualClock(T0) },
      { origin: 'aws', windows: parseWindows('1m') },
    );
    await ingest(messagesOf(Array.from({ length: 5 }, (_, i) => record({ seq: i, ts: T0 + i * MINUTE }))));
    // A store that takes the request and never answers, as a cloud cut off mid-way.
    const silent = new MemoryStore();
    silent.windows = () => new Promise<never>(() => {});
    const last = Math.floor((T0 + 4 * MINUTE) / MINUTE) * MINUTE;
    const set = await readCandles(
      { aws: store, gcp: silent, azure: 'not configured: COSMOS_ENDPOINT is not set' },
      [{ series: 'BTCUSDT', window: '1m', first: 0, last }],
      { series: 'BTCUSDT', window: '1m', now: 0, deadlineMs: 200 },
    );
    expect(set.to).toBe(last + MINUTE);
    expect('windows' in set.clouds.aws && set.clouds.aws.windows.map((w) => w.count)).toEqual([
      1, 1, 1, 1, 1,
    ]);
    expect(set.clouds.gcp).toEqual({ error: 'no answer within 200 ms' });
    expect(set.clouds.azure).toEqual({ error: 'not configured: COSMOS_ENDPOINT is not set' });
  });

  it('refuses a series no store could hold, naming it', async () => {
    await expect(
      readCandles({}, [], { series: 'a/b', window: '1m', now: T0, deadlineMs: 200 }),
    ).rejects.toMatchObject({ name: 'QueryError', parameter: 'series' });
  });
});

describe('within', () => {
  it('gives the answer that comes in time, and the error of one that fails', async () => {
    expect(await within(Promise.resolve(7), Date.now() + 1_000, 1_000)).toEqual({ ok: true, value: 7 });
    const failed = await within(
      Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:9\n    at …')),
      Date.now() + 1_000,
      1_000,
    );
    expect(failed).toEqual({ ok: false, error: 'connect ECONNREFUSED 127.0.0.1:9', timedOut: false });
  });
});
