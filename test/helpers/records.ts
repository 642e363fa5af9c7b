/** Factories, generators and the straightforward reference every exactness test compares against. */
import fc from 'fast-check';
import {
  type DataRecord,
  type ExportedWindow,
  encodeMessage,
  type InboundMessage,
  type WindowSpec,
  windowStart,
} from '../../shared/core/index.ts';

export const T0 = 1_700_000_000_000;

export function record(overrides: Partial<DataRecord> = {}): DataRecord {
  return { series: 'BTCUSDT', seq: 1, ts: T0, value: 100, qty: 1, ...overrides };
}

/** One message per chunk of `size` records, ids `m0`, `m1`, … */
export function messagesOf(records: readonly DataRecord[], size = 10, prefix = 'm'): InboundMessage[] {
  const out: InboundMessage[] = [];
  for (let i = 0; i < records.length; i += size) {
    out.push({ id: `${prefix}${i / size}`, body: encodeMessage(`b${i / size}`, records.slice(i, i + size)) });
  }
  return out;
}

/** Series names drawn from the whole allowed alphabet, since they end up in every store's ids. */
export const arbSeries = fc.constantFrom('BTCUSDT', 'eth.usd', 'meter:42_a-b', 'Z', '__x__', '.', '..');

/**
 * A stream of distinct records: a few series, seqs unique per series, timestamps over a few minutes (so records
 * share and cross windows), values with awkward decimals and qty including zero.
 */
export const arbRecords = fc
  .array(
    fc.record({
      series: arbSeries,
      seq: fc.integer({ min: 0, max: 400 }),
      ts: fc.integer({ min: T0, max: T0 + 4 * 60_000 }),
      value: fc.oneof(
        fc.double({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true }),
        fc.constantFrom(0.1, 0.2, 0.3, 37000.5),
      ),
      qty: fc.oneof(fc.double({ min: 0, max: 1e3, noNaN: true, noDefaultInfinity: true }), fc.constant(0)),
    }),
    { maxLength: 120 },
  )
  .map((rs) => distinct(rs));

export function distinct(records: readonly DataRecord[]): DataRecord[] {
  const seen = new Map<string, DataRecord>();
  for (const r of records) {
    const k = `${r.series}\u0000${r.seq}`;
    if (!seen.has(k)) seen.set(k, r);
  }
  return [...seen.values()];
}

/**
 * The reference: each window's aggregate computed directly from the distinct records, in the most obvious way.
 * Sums use plain addition over records sorted by (ts, seq), so exactness is compared with a relative tolerance.
 */
export function referenceWindows(
  records: readonly DataRecord[],
  windows: readonly WindowSpec[],
): ExportedWindow[] {
  const groups = new Map<string, { series: string; window: string; start: number; rs: DataRecord[] }>();
  for (const r of distinct(records)) {
    for (const w of windows) {
      const start = windowStart(r.ts, w.sizeMs);
      const k = `${r.series}|${w.name}|${start}`;
      const g = groups.get(k) ?? { series: r.series, window: w.name, start, rs: [] };
      g.rs.push(r);
      groups.set(k, g);
    }
  }
  return sortWindows(
    [...groups.values()].map(({ series, window, start, rs }) => {
      const sorted = [...rs].sort((a, b) => a.ts - b.ts || a.seq - b.seq);
      const volume = sorted.reduce((s, r) => s + r.qty, 0);
      const notional = sorted.reduce((s, r) => s + r.value * r.qty, 0);
      return {
        series,
        window,
        start,
        open: sorted[0]!.value,
        high: Math.max(...sorted.map((r) => r.value)),
        low: Math.min(...sorted.map((r) => r.value)),
        close: sorted[sorted.length - 1]!.value,
        volume,
        vwap: volume === 0 ? null : notional / volume,
        count: sorted.length,
      };
    }),
  );
}

export function sortWindows<T extends ExportedWindow>(rows: T[]): T[] {
  return rows.sort(
    (a, b) =>
      (a.series < b.series ? -1 : a.series > b.series ? 1 : 0) ||
      (a.window < b.window ? -1 : a.window > b.window ? 1 : 0) ||
      a.start - b.start,
  );
}

/** Whether two numbers agree to `rel` relative (absolute near zero, where cancellation makes relative meaningless). */
export function close(a: number | null, b: number | null, rel = 1e-9, scale = 1): boolean {
  if (a === null || b === null) return a === b;
  return Math.abs(a - b) <= rel * Math.max(Math.abs(a), Math.abs(b), scale);
}

/** Throws with a readable diff when the exported windows differ from the reference beyond float tolerance. */
export function expectExact(actual: readonly ExportedWindow[], reference: readonly ExportedWindow[]): void {
  const a = sortWindows([...actual]);
  if (a.length !== reference.length) {
    throw new Error(`expected ${reference.length} windows, got ${a.length}`);
  }
  a.forEach((w, i) => {
    const r = reference[i]!;
    const sameKeys = w.series === r.series && w.window === r.window && w.start === r.start;
    const sameExact =
      w.open === r.open && w.high === r.high && w.low === r.low && w.close === r.close && w.count === r.count;
    // Cancellation in Σ value·qty can make the reference's plain sum the inexact one; scale by the magnitude summed.
    const sameSums =
      close(w.volume, r.volume) && close(w.vwap, r.vwap, 1e-9, Math.abs(r.high) + Math.abs(r.low));
    if (!(sameKeys && sameExact && sameSums)) {
      throw new Error(
        `window ${i} differs:\n  got      ${JSON.stringify(w)}\n  expected ${JSON.stringify(r)}`,
      );
    }
  });
}
