/**
 * The reference every exactness check compares against: each window's aggregate computed directly from the
 * distinct records in the most obvious way — sorted by (ts, seq), plain sums — sharing no code with the core's
 * aggregation, so a bug there cannot hide in both. Sums are compared with a relative tolerance.
 */
import {
  type DataRecord,
  type ExportedWindow,
  type WindowSpec,
  windowStart,
} from '../../shared/core/index.ts';

export function distinctRecords(records: Iterable<DataRecord>): DataRecord[] {
  const seen = new Map<string, DataRecord>();
  for (const r of records) {
    const k = `${r.series}\u0000${r.seq}`;
    if (!seen.has(k)) seen.set(k, r);
  }
  return [...seen.values()];
}

export function referenceWindows(
  records: Iterable<DataRecord>,
  windows: readonly WindowSpec[],
): ExportedWindow[] {
  const groups = new Map<string, { series: string; window: string; start: number; rs: DataRecord[] }>();
  for (const r of distinctRecords(records)) {
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
      let volume = 0;
      let notional = 0;
      let high = Number.NEGATIVE_INFINITY;
      let low = Number.POSITIVE_INFINITY;
      for (const r of sorted) {
        volume += r.qty;
        notional += r.value * r.qty;
        high = Math.max(high, r.value);
        low = Math.min(low, r.value);
      }
      return {
        series,
        window,
        start,
        open: sorted[0]!.value,
        high,
        low,
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

/** Whether two numbers agree to `rel` relative to the larger of them and `scale`. */
export function closeTo(a: number | null, b: number | null, rel = 1e-9, scale = 1): boolean {
  if (a === null || b === null) return a === b;
  return Math.abs(a - b) <= rel * Math.max(Math.abs(a), Math.abs(b), scale);
}

/** The first difference between exported windows and the reference beyond float tolerance, or undefined. */
export function firstDifference(
  actual: readonly ExportedWindow[],
  reference: readonly ExportedWindow[],
): string | undefined {
  const a = sortWindows([...actual]);
  if (a.length !== reference.length) return `expected ${reference.length} windows, got ${a.length}`;
  for (const [i, w] of a.entries()) {
    const r = reference[i]!;
    const sameKeys = w.series === r.series && w.window === r.window && w.start === r.start;
    const sameExact =
      w.open === r.open && w.high === r.high && w.low === r.low && w.close === r.close && w.count === r.count;
    // Cancellation in Σ value·qty can make the reference's plain sum the inexact one; scale by the values' size.
    const sameSums =
      closeTo(w.volume, r.volume) && closeTo(w.vwap, r.vwap, 1e-9, Math.abs(r.high) + Math.abs(r.low));
    if (!(sameKeys && sameExact && sameSums)) {
      return `window ${i} differs:\n  got      ${JSON.stringify(w)}\n  expected ${JSON.stringify(r)}`;
    }
  }
  return undefined;
}
