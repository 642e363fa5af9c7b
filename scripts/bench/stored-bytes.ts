/**
 * Stored bytes: what the ingest use case writes per record, which is what DynamoDB (1 WCU per KB of item) and
 * Cosmos bill by, against the naive design of one item per record, in the same run. Seq patterns run from
 * contiguous to sparse, and each window size runs alone. A second part measures a range read of one series'
 * windows as the store grows.
 *
 * An item's size is the UTF-8 length of `JSON.stringify(toStored(doc))`: the stored fields of every store. It
 * over-counts DynamoDB's own measure (names plus values, without JSON's quotes and punctuation) a little. The
 * naive item is a record's own stored form, `{id, series, seq, ts, value, qty}`, measured the same way.
 */
import { CloudPacking } from '../../producers/packing.ts';
import { syntheticRecords } from '../../producers/sources/synthetic.ts';
import { toStored } from '../../shared/clouds/document-codec.ts';
import {
  type AggregateStore,
  createIngest,
  type DataRecord,
  type InboundMessage,
  parseWindows,
} from '../../shared/core/index.ts';
import { MemoryStore, SteppingClock } from '../../shared/core/testing/index.ts';
import { seededRandom } from '../dev/seeded-random.ts';
import type { Report } from './report.ts';

const T0 = 1_700_000_000_000;
/** Records of each stream: one series. */
export const BYTES_RECORDS = 200_000;
/** The hot series' rate: 200,000 records span two minutes, three 1m windows. */
export const BYTES_PER_MINUTE = 100_000;
/** The producer's default records per message, under its default message size. */
const PER_MESSAGE = 500;
/** Lambda's default SQS batch. */
const PER_INVOCATION = 10;
/** DESIGN §2: every stored item stays under this. */
const ITEM_BOUND = 350_000;

type Pattern = 'contiguous' | 'gappy' | 'everyOther' | 'sparse';

const LABELS: Record<Pattern, string> = {
  contiguous: 'contiguous',
  gappy: '10 % gappy',
  everyOther: 'every other',
  sparse: 'sparse to 2^53',
};

/** Naive bytes ÷ ours that each pattern must reach, where it has a target. */
const RATIO_TARGETS: Partial<Record<Pattern, number>> = { contiguous: 20, everyOther: 1 };

interface WriteTally {
  writes: number;
  bytes: number;
  largest: number;
}

type CaseFigures = WriteTally;

export function itemBytes(item: object): number {
  return Buffer.byteLength(JSON.stringify(item));
}

/** The seq of each record, in stream order: one seeded generator per pattern. */
function seqGenerator(pattern: Pattern, random: () => number): (i: number) => number {
  switch (pattern) {
    case 'contiguous':
      return (i) => i;
    case 'everyOther':
      return (i) => 2 * i;
    case 'gappy': {
      let seq = -1;
      return () => {
        // Each seq is skipped with probability 0.1.
        do seq++;
        while (random() < 0.1);
        return seq;
      };
    }
    case 'sparse':
      return () => Math.floor(random() * 2 ** 21) * 2 ** 32 + Math.floor(random() * 2 ** 32);
  }
}

/** One trade-like series at {@link BYTES_PER_MINUTE}, its seqs following the pattern. */
function stream(pattern: Pattern): DataRecord[] {
  const next = syntheticRecords({ seed: 14, series: 1 });
  const seqOf = seqGenerator(pattern, seededRandom(14));
  return Array.from({ length: BYTES_RECORDS }, (_, i) => ({
    ...next(),
    seq: seqOf(i),
    ts: T0 + Math.floor((i * 60_000) / BYTES_PER_MINUTE),
  }));
}

/** Packed as the producer packs (per series, its default message size), then cut into invocations. */
function invocations(records: readonly DataRecord[]): InboundMessage[][] {
  let batch = 0;
  const packing = new CloudPacking(PER_MESSAGE, () => `b${batch++}`);
  for (const record of records) packing.add('aws', record);
  const messages = packing.drain().map((m, i) => ({ id: `m${i}`, body: m.body }));
  const out: InboundMessage[][] = [];
  for (let i = 0; i < messages.length; i += PER_INVOCATION) out.push(messages.slice(i, i + PER_INVOCATION));
  return out;
}

/** Wraps a store to add up the size of every write that landed. */
function measuringStore(store: AggregateStore): { store: AggregateStore; tally: WriteTally } {
  const tally: WriteTally = { writes: 0, bytes: 0, largest: 0 };
  return {
    tally,
    store: {
      read: (ids) => store.read(ids),
      async write(doc, expected) {
        await store.write(doc, expected);
        const bytes = itemBytes(toStored(doc));
        tally.writes++;
        tally.bytes += bytes;
        tally.largest = Math.max(tally.largest, bytes);
      },
      changes: (since, limit) => store.changes(since, limit),
      windows: (range, limit) => store.windows(range, limit),
      readWatermark: (source) => store.readWatermark(source),
      writeWatermark: (source, cursor) => store.writeWatermark(source, cursor),
    },
  };
}

/** The real ingest, one window size, into an in-memory store whose writes are measured. */
async function ingestMeasured(batches: readonly InboundMessage[][], window: string): Promise<CaseFigures> {
  const memory = new MemoryStore();
  const { store, tally } = measuringStore(memory);
  const ingest = createIngest(
    { store, deadLetters: memory, clock: new SteppingClock(T0, 1), random: seededRandom(1) },
    { origin: 'aws', windows: parseWindows(window) },
  );
  for (const batch of batches) {
    const { failedMessageIds, report } = await ingest(batch);
    if (failedMessageIds.length) throw new Error(`bench ingest failed: ${report.firstError}`);
    if (report.deadLetters) throw new Error(`bench ingest dead-lettered ${report.deadLetters} records`);
  }
  return tally;
}

function naiveBytes(records: readonly DataRecord[]): number {
  let bytes = 0;
  for (const { series, seq, ts, value, qty } of records) {
    bytes += itemBytes({ id: `${series}|${seq}`, series, seq, ts, value, qty });
  }
  return bytes;
}

/** Reports one case; returns whether its targets were met. */
function reportCase(
  report: Report,
  pattern: Pattern,
  window: string,
  naive: number,
  f: CaseFigures,
): boolean {
  const k = `bytes.${pattern}.${window}`;
  const name = `${LABELS[pattern]}, ${window}:`;
  const ratio = naive / f.bytes;
  const target = RATIO_TARGETS[pattern];
  const ratioMet = target === undefined || ratio >= target;
  const sizeMet = f.largest <= ITEM_BOUND;
  const verdict = (met: boolean) => (met ? 'pass' : 'FAIL');
  report(`${k}.bytesPerRecord`, `${name} stored bytes per record`, f.bytes / BYTES_RECORDS, 'B');
  report(
    `${k}.fewerBytesRatio`,
    `${name} naive bytes ÷ ours${target === undefined ? '' : ` (≥ ${target}: ${verdict(ratioMet)})`}`,
    ratio,
    '×',
  );
  report(`${k}.writesPerRecord`, `${name} writes per record`, f.writes / BYTES_RECORDS, 'writes');
  const bound = ` (≤ ${ITEM_BOUND.toLocaleString('en-US')}: ${verdict(sizeMet)})`;
  report(`${k}.largestItem`, `${name} largest item${bound}`, f.largest, 'B');
  return ratioMet && sizeMet;
}

/** Item 1 and 2 of the section: stored bytes per record for each pattern and window size, against naive. */
export async function benchStoredBytes(report: Report): Promise<void> {
  const cases: [Pattern, string[]][] = [
    ['contiguous', ['1m', '1d']],
    ['gappy', ['1m', '1d']],
    ['everyOther', ['1m', '1d']],
    ['sparse', ['1m', '1d']],
  ];
  let met = 0;
  let checked = 0;
  for (const [pattern, windows] of cases) {
    const records = stream(pattern);
    const naive = naiveBytes(records);
    report(
      `bytes.${pattern}.naiveBytesPerRecord`,
      `${LABELS[pattern]}: naive bytes per record`,
      naive / BYTES_RECORDS,
      'B',
    );
    const batches = invocations(records);
    for (const window of windows) {
      const figures = await ingestMeasured(batches, window);
      if (pattern !== 'sparse') checked++;
      if (reportCase(report, pattern, window, naive, figures) && pattern !== 'sparse') met++;
    }
  }
  report('bytes.targetsMet', `cases meeting every target (of ${checked})`, met, 'cases');
}

const RANGE_WINDOWS = 60;
const RANGE_PAGE = 25;

/** A store holding `series × minutes` 1m windows of two records each, written by the real ingest. */
async function storeOfWindows(series: number, minutes: number): Promise<MemoryStore> {
  const store = new MemoryStore();
  const start = Math.ceil(T0 / 60_000) * 60_000;
  const records: DataRecord[] = [];
  for (let m = 0; m < minutes; m++) {
    for (let s = 0; s < series; s++) {
      for (const k of [0, 1]) {
        const seq = 2 * m + k;
        records.push({ series: `S${s}`, seq, ts: start + m * 60_000 + k, value: 100 + (seq % 7), qty: 1 });
      }
    }
  }
  const ingest = createIngest(
    { store, deadLetters: store, clock: new SteppingClock(T0, 1) },
    { origin: 'aws', windows: parseWindows('1m') },
  );
  for (const batch of invocations(records)) {
    if ((await ingest(batch)).failedMessageIds.length) throw new Error('bench ingest failed');
  }
  if (store.count('window') !== series * minutes) throw new Error('bench store holds the wrong windows');
  return store;
}

/** Item 3: reading 60 consecutive windows of one series, paged, from a small and a large store. */
export async function benchRangeRead(report: Report): Promise<void> {
  const itemsRead: number[] = [];
  const sizes: [number, number][] = [
    [10, 100],
    [100, 500],
  ];
  for (const [series, minutes] of sizes) {
    const store = await storeOfWindows(series, minutes);
    const held = series * minutes;
    const from = Math.ceil(T0 / 60_000) * 60_000 + 20 * 60_000;
    const range = { series: 'S3', window: '1m', from, to: from + RANGE_WINDOWS * 60_000 };
    let returned = 0;
    for (let next: number | undefined = range.from; next !== undefined; ) {
      const page = await store.windows({ ...range, from: next }, RANGE_PAGE);
      returned += page.windows.length;
      next = page.next;
    }
    itemsRead.push(store.counters.rangeRead);
    const k = `bytes.range${held}`;
    const name = `${held.toLocaleString('en-US')} windows (${series} series × ${minutes} min):`;
    report(`${k}.windows`, `${name} windows returned`, returned, 'windows');
    const bound = ` (≤ ${RANGE_WINDOWS + RANGE_PAGE}: ${store.counters.rangeRead <= RANGE_WINDOWS + RANGE_PAGE ? 'pass' : 'FAIL'})`;
    report(`${k}.itemsRead`, `${name} items read${bound}`, store.counters.rangeRead, 'items');
    report(`${k}.calls`, `${name} range calls (page of ${RANGE_PAGE})`, store.counters.rangeCalls, 'calls');
  }
  report(
    'bytes.rangeReadGrowthRatio',
    'items read, 50,000 vs 1,000 windows',
    itemsRead[1]! / itemsRead[0]!,
    '×',
  );
}
