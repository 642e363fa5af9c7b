/** Documents counted from a store's change listing: windows, slices, inexact windows, conflicts, series spans. */
import { describe, expect, it } from 'vitest';
import { documentCensus, type SliceFacts, summarizeSlices } from '../../scripts/status/document-census.ts';
import { createIngest, type Origin, parseWindows } from '../../shared/core/index.ts';
import { ManualClock, MemoryStore } from '../../shared/core/testing/index.ts';
import { messagesOf, record, T0 } from '../helpers/records.ts';

const WINDOWS = parseWindows('1m,1h');

const facts = (over: Partial<SliceFacts>): SliceFacts => ({
  window: 'S|1m|0',
  series: 'S',
  size: '1m',
  start: 0,
  exact: true,
  conflict: false,
  ...over,
});

describe('summarizeSlices', () => {
  it('counts a window once however many slices it has, and inexact if any slice is', () => {
    const summary = summarizeSlices(
      [
        facts({}),
        facts({ exact: false }),
        facts({ window: 'S|1m|60000', start: 60_000, exact: false, conflict: true }),
        facts({ window: 'T|1h|0', series: 'T', size: '1h' }),
      ],
      true,
    );
    expect(summary).toEqual({
      windows: 3,
      slices: 4,
      inexact: 2,
      conflicts: 1,
      series: [
        { series: 'S', window: '1m', first: 0, last: 60_000 },
        { series: 'T', window: '1h', first: 0, last: 0 },
      ],
      complete: true,
    });
  });
});

describe('documentCensus', () => {
  const clock = new ManualClock(T0);
  const ingestInto = (store: MemoryStore, origin: Origin) =>
    createIngest({ store, deadLetters: store, clock }, { origin, windows: WINDOWS });

  it('counts the whole store first, then only what changed since (and a few seconds before)', async () => {
    const store = new MemoryStore();
    const census = documentCensus(store);
    expect(census.current().complete).toBe(false);
    const minute = (i: number) => record({ seq: i, ts: T0 + i * 60_000 });
    // Fifty 1m windows (and the 1h windows that hold them), then one more ten seconds later.
    await ingestInto(store, 'aws')(messagesOf(Array.from({ length: 50 }, (_, i) => minute(i))));
    clock.advance(10_000);
    await ingestInto(store, 'aws')(messagesOf([minute(50)], 10, 'b'));
    const first = await census.count();
    expect(first).toMatchObject({ windows: 51 + 2, slices: 53, inexact: 0, conflicts: 0, complete: true });

    clock.advance(10_000);
    const listedBefore = store.counters.listed;
    await ingestInto(store, 'aws')(messagesOf([minute(51)], 10, 'c'));
    const second = await census.count();
    expect(second).toMatchObject({ windows: 54, slices: 54 });
    expect(second.series.find((s) => s.window === '1m')).toEqual({
      series: 'BTCUSDT',
      window: '1m',
      first: 1_699_999_980_000,
      last: 1_699_999_980_000 + 51 * 60_000,
    });
    // Only the last write before the first count (within the overlap) and the new one's two windows, not the 50.
    expect(store.counters.listed - listedBefore).toBe(3);
  });

  it('says a window is inexact when two clouds hold overlapping parts, and names a conflict', async () => {
    const store = new MemoryStore();
    await ingestInto(store, 'aws')(messagesOf([1, 2, 3].map((seq) => record({ seq }))));
    await ingestInto(store, 'gcp')(messagesOf([3, 4].map((seq) => record({ seq }))));
    const overlap = await documentCensus(store).count();
    expect(overlap).toMatchObject({ windows: 2, inexact: 2, conflicts: 0 });

    const other = new MemoryStore();
    await ingestInto(other, 'aws')(messagesOf([record({ seq: 7, value: 1 })]));
    await ingestInto(other, 'gcp')(messagesOf([record({ seq: 7, value: 2 })]));
    expect(await documentCensus(other).count()).toMatchObject({ windows: 2, inexact: 2, conflicts: 2 });
  });
});
