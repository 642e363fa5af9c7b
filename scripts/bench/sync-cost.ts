/**
 * Sync cost against source size: a target caught up with a source of N documents, then 100 documents change;
 * the store operations of the next pass, for growing N. The ratio of the largest to the smallest must stay flat:
 * cost follows changes, not table size. In-memory stores, so the counts are exact and nothing else is timed.
 */
import { ORIGINS, partOf, type SliceDocument, syncInto, withParts } from '../../shared/core/index.ts';
import { MemoryStore, SteppingClock } from '../../shared/core/testing/index.ts';
import { countingStore } from './counting-store.ts';
import type { Report } from './report.ts';

const T0 = 1_700_000_000_000;

function document(series: number, minute: number, revision: number, at: number): SliceDocument {
  const start = T0 + minute * 60_000;
  const part = partOf(
    [{ series: `S${series}`, seq: revision, ts: start, value: revision, qty: 1 }],
    revision,
  );
  return withParts({ series: `S${series}`, window: '1m', start, slice: 0 }, undefined, { aws: part }, at);
}

export async function benchSyncCost(report: Report): Promise<void> {
  const listedBySize: number[] = [];
  const sizes = [1_000, 10_000, 50_000];
  for (const size of sizes) {
    const source = new MemoryStore();
    const target = new MemoryStore();
    const clock = new SteppingClock(T0, 1);
    for (let i = 0; i < size; i++) {
      const doc = document(i % 100, Math.floor(i / 100), 1, clock.now());
      source.place(doc);
    }
    await syncInto(
      { target, sources: [{ origin: 'aws', store: source }], clock },
      { overlapMs: 0, pageSize: 1_000 },
    );
    for (let i = 0; i < 100; i++) {
      const doc = document(i, 0, 2, clock.now());
      source.place({ ...doc, revision: 2 });
    }
    const { store, counts } = countingStore(source);
    const t = performance.now();
    const result = await syncInto(
      { target, sources: [{ origin: ORIGINS[0], store }], clock },
      { overlapMs: 0 },
    );
    const ms = performance.now() - t;
    listedBySize.push(counts.listed);
    report(
      `sync.size${size}.documentsRead`,
      `source of ${size.toLocaleString('en-US')}: documents read`,
      counts.listed,
      'docs',
    );
    report(
      `sync.size${size}.written`,
      `source of ${size.toLocaleString('en-US')}: documents written`,
      result.sources[0]?.written ?? 0,
      'docs',
    );
    report(`sync.size${size}.ms`, `source of ${size.toLocaleString('en-US')}: pass time`, ms, 'ms');
  }
  report(
    'sync.readsGrowthRatio',
    `documents read, ${sizes.at(-1)} vs ${sizes[0]} docs`,
    listedBySize.at(-1)! / listedBySize[0]!,
    '×',
  );
}
