/** Sync lag per pair from a store's watermark and the source's changes after it. */
import { describe, expect, it } from 'vitest';
import { PENDING_CAP, pendingChanges, sourceSync } from '../../scripts/status/sync-lag.ts';
import { createIngest, parseWindows, syncInto } from '../../shared/core/index.ts';
import { ManualClock, MemoryStore } from '../../shared/core/testing/index.ts';
import { messagesOf, record, T0 } from '../helpers/records.ts';

const WINDOWS = parseWindows('1m');

/** A source store holding `windows` one-record windows written one clock tick apart. */
async function sourceWith(windows: number, clock: ManualClock) {
  const store = new MemoryStore();
  const ingest = createIngest({ store, deadLetters: store, clock }, { origin: 'aws', windows: WINDOWS });
  for (let i = 0; i < windows; i++) {
    await ingest(messagesOf([record({ seq: i, ts: T0 + i * 60_000 })], 1, `m${i}-`));
    clock.advance(1_000);
  }
  return store;
}

describe('sourceSync', () => {
  it('is caught up with nothing pending: lag 0', () => {
    const line = sourceSync('aws', { updatedAt: T0, id: 'x' }, { count: 0, capped: false }, T0 + 5_000);
    expect(line).toEqual({ source: 'aws', watermarkAt: T0, pending: 0, lagMs: 0, retrying: 0 });
  });

  it('lags by the age of the oldest change not pulled, and counts the slices to retry', () => {
    const line = sourceSync(
      'gcp',
      { updatedAt: T0, id: 'x', retry: ['a', 'b'] },
      { count: 3, oldest: T0 + 1_000, capped: true },
      T0 + 61_000,
    );
    expect(line).toEqual({
      source: 'gcp',
      watermarkAt: T0,
      pending: 3,
      pendingAtLeast: true,
      lagMs: 60_000,
      retrying: 2,
    });
  });

  it('has no watermark before the first sync', () => {
    expect(sourceSync('azure', undefined, { count: 2, oldest: 10, capped: false }, 20)).toEqual({
      source: 'azure',
      pending: 2,
      lagMs: 10,
      retrying: 0,
    });
  });
});

describe('pendingChanges', () => {
  it('counts every change of a source never synced, from the oldest', async () => {
    const clock = new ManualClock(T0);
    const source = await sourceWith(5, clock);
    const pending = await pendingChanges(source, undefined);
    expect(pending).toEqual({ count: 5, oldest: T0, capped: false });
  });

  it('counts only what came after the watermark a sync left', async () => {
    const clock = new ManualClock(T0);
    const source = await sourceWith(3, clock);
    const target = new MemoryStore();
    await syncInto({ target, sources: [{ origin: 'aws', store: source }], clock });
    expect(await pendingChanges(source, await target.readWatermark('aws'))).toEqual({
      count: 0,
      capped: false,
    });

    const ingest = createIngest(
      { store: source, deadLetters: source, clock },
      { origin: 'aws', windows: WINDOWS },
    );
    clock.advance(1_000);
    const newer = clock.now();
    await ingest(messagesOf([record({ seq: 99, ts: T0 + 10 * 60_000 })], 1, 'late-'));
    expect(await pendingChanges(source, await target.readWatermark('aws'))).toEqual({
      count: 1,
      oldest: newer,
      capped: false,
    });
  });

  it('stops at the cap and says so', async () => {
    const clock = new ManualClock(T0);
    const source = new MemoryStore();
    const ingest = createIngest(
      { store: source, deadLetters: source, clock },
      { origin: 'aws', windows: WINDOWS },
    );
    const records = Array.from({ length: PENDING_CAP + 5 }, (_, i) =>
      record({ seq: i, ts: T0 + i * 60_000 }),
    );
    await ingest(messagesOf(records, 500));
    const pending = await pendingChanges(source, undefined);
    expect(pending.count).toBe(PENDING_CAP);
    expect(pending.capped).toBe(true);
  });
});
