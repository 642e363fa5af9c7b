/**
 * The `AggregateStore` contract, one suite over the in-memory store and the three adapters against the local
 * stack: what the use cases rely on, checked the same way everywhere, so an adapter that translates an error or
 * orders a page differently fails here rather than in a use case.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStores } from '../../shared/clouds/all-stores.ts';
import { readCloudSettings } from '../../shared/config/environment.ts';
import {
  type AggregateStore,
  ConflictError,
  childPosition,
  DEFAULT_BACKOFF,
  FANOUT,
  ORIGINS,
  partOf,
  ROOT,
  refreshWindow,
  SLICE_BLOCK,
  type SliceDocument,
  sliceOf,
  summaryId,
  type WindowDocument,
  withParts,
  withSlices,
} from '../../shared/core/index.ts';
import { MemoryStore, SteppingClock } from '../../shared/core/testing/index.ts';
import { useStackEnv } from '../helpers/cloud-harness.ts';
import { T0 } from '../helpers/records.ts';

const closers: (() => unknown)[] = [];
const stores = new Map<string, AggregateStore>();

beforeAll(async () => {
  const settings = readCloudSettings(useStackEnv());
  stores.set('memory', new MemoryStore());
  for (const origin of ORIGINS) {
    const created = await createStores(origin, settings);
    closers.push(() => created.close());
    stores.set(origin, created.store);
  }
});

afterAll(async () => {
  for (const close of closers) await close();
});

const run = `contract-${Date.now().toString(36)}`;

function slice(series: string, minute: number, seq: number, at: number): SliceDocument {
  const start = T0 + minute * 60_000;
  const part = partOf([{ series, seq, ts: start, value: seq, qty: 1 }]);
  return withParts({ series, window: '1m', start, slice: sliceOf(seq) }, undefined, { aws: part }, at);
}

describe.each(['memory', ...ORIGINS])('the %s store', (name) => {
  const store = () => stores.get(name)!;
  const series = `${run}-${name}`;

  it('reads what it wrote, of either kind, and leaves missing ids out', async () => {
    const s = slice(series, 0, 1, T0);
    const w = withSlices(s, undefined, [s], T0)!;
    await store().write(s, 0);
    await store().write(w, 0);
    const read = await store().read([s.id, w.id, `${series}|1m|0|missing`]);
    expect([...read.keys()].sort()).toEqual([s.id, w.id].sort());
    expect(read.get(s.id)).toEqual(s);
    expect(read.get(w.id)).toEqual(w);
  });

  it('refuses a write on a revision that moved on, and a create of what exists, as a conflict', async () => {
    const first = slice(series, 1, 2, T0);
    await store().write(first, 0);
    await expect(store().write(first, 0)).rejects.toBeInstanceOf(ConflictError);
    const second = withParts(first, first, first.parts, T0 + 1);
    await store().read([first.id]);
    await store().write(second, first.revision);
    await expect(
      store().write(withParts(first, first, first.parts, T0 + 2), first.revision),
    ).rejects.toBeInstanceOf(ConflictError);
  });

  it('lists changed slices only, in (updatedAt, id) order, page by page', async () => {
    const base = Date.now() + 10_000_000;
    const written = [3, 4, 5].map((m, i) => slice(series, m, 10 + i, base + i));
    for (const s of written) {
      await store().write(s, 0);
      await store().write(withSlices(s, undefined, [s], base)!, 0);
    }
    const seen: SliceDocument[] = [];
    let cursor = { updatedAt: base - 1, id: '' };
    for (let page = 0; page < 10; page++) {
      const got = await store().changes(cursor, 2);
      seen.push(...got.documents);
      if (!got.next) break;
      cursor = got.next;
    }
    const ours = seen.filter((d) => d.series === series);
    expect(ours.map((d) => d.id)).toEqual(written.map((d) => d.id));
    expect(seen.every((d) => d.kind === 'slice')).toBe(true);
  });

  it("reads a series' windows of one size over [from, to), in start order, paged", async () => {
    const windows: WindowDocument[] = [];
    for (const m of [10, 11, 12, 13]) {
      const s = slice(series, m, 100 + m, T0);
      await store().write(s, 0);
      const w = withSlices(s, undefined, [s], T0)!;
      await store().write(w, 0);
      windows.push(w);
    }
    const from = windows[1]!.start;
    const to = windows[3]!.start + 1;
    const got: WindowDocument[] = [];
    for (let next: number | undefined = from; next !== undefined; ) {
      const page = await store().windows({ series, window: '1m', from: next, to }, 2);
      got.push(...page.windows);
      next = page.next;
    }
    expect(got.map((w) => w.start)).toEqual(windows.slice(1).map((w) => w.start));
    expect((await store().windows({ series, window: '5m', from, to }, 10)).windows).toEqual([]);
  });

  it("keeps a split window's summary nodes, listed neither as changes nor as windows", async () => {
    const base = Date.now() + 20_000_000;
    // More slices than one summary holds: the window splits and its entries move to nodes.
    const slices = Array.from({ length: FANOUT + 4 }, (_, k) =>
      slice(series, 20, k * SLICE_BLOCK + 1, base + k),
    );
    for (const s of slices) await store().write(s, 0);
    const policy = {
      clock: new SteppingClock(base, 1),
      random: () => 0.5,
      maxAttempts: 3,
      backoff: DEFAULT_BACKOFF,
    };
    const { window } = await refreshWindow(store(), undefined, slices, policy);
    expect(window.split).toBe(true);
    const nodeIds = Object.keys(window.entries).map((i) => summaryId(window, childPosition(ROOT, Number(i))));
    const nodes = await store().read([window.id, ...nodeIds]);
    expect(nodes.get(window.id)).toEqual(window);
    expect([...nodes.values()].filter((d) => d.kind === 'node')).toHaveLength(FANOUT);
    expect(window.merged.aggregate.count).toBe(FANOUT + 4);
    const listed = await store().changes({ updatedAt: base - 1, id: '' }, 100);
    expect(listed.documents.filter((d) => d.series === series).map((d) => d.kind)).toEqual(
      slices.map(() => 'slice'),
    );
    const { windows } = await store().windows(
      { series, window: '1m', from: window.start, to: window.start + 1 },
      10,
    );
    expect(windows).toEqual([window]);
  });

  it('keeps a watermark with its retry list and last run, per source', async () => {
    const source = name === 'memory' ? 'gcp' : ORIGINS.find((o) => o !== name)!;
    const watermark = {
      updatedAt: T0,
      id: `${series}|1m|0|0`,
      retry: [`${series}|a`, `${series}|b`],
      checkedAt: T0 + 5,
    };
    await store().writeWatermark(source, watermark);
    expect(await store().readWatermark(source)).toEqual(watermark);
    await store().writeWatermark(source, { updatedAt: T0 + 1, id: 'x' });
    expect(await store().readWatermark(source)).toEqual({ updatedAt: T0 + 1, id: 'x' });
  });
});
