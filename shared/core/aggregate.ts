/**
 * The aggregate of the records of one window (DESIGN §2): open/close by `(ts, seq)`, high, low, volume, notional,
 * count. Every field combines associatively and commutatively — sums are exact ({@link ExactSum}) — so an aggregate
 * is the same whatever order or grouping its records arrived in, bit for bit.
 */

import { addExact, canonical, type ExactSum, mergeExact, total } from './exact-sum.ts';
import type { DataRecord } from './record.ts';

export interface Aggregate {
  count: number;
  open: number;
  openTs: number;
  openSeq: number;
  close: number;
  closeTs: number;
  closeSeq: number;
  high: number;
  low: number;
  /** Σ qty, exact. */
  volume: ExactSum;
  /** Σ value·qty, exact (each product rounded once, as a double). */
  notional: ExactSum;
}

/** The aggregate of no records: the identity of {@link combineAggregates}. */
export function emptyAggregate(): Aggregate {
  return {
    count: 0,
    open: 0,
    openTs: Number.POSITIVE_INFINITY,
    openSeq: 0,
    close: 0,
    closeTs: Number.NEGATIVE_INFINITY,
    closeSeq: 0,
    high: Number.NEGATIVE_INFINITY,
    low: Number.POSITIVE_INFINITY,
    volume: [],
    notional: [],
  };
}

/**
 * Folds one record into an aggregate in place — the hot path of ingest, so it allocates nothing.
 * Call {@link sealAggregate} before storing the result.
 */
export function addRecord(agg: Aggregate, r: DataRecord): void {
  if (agg.count === 0 || r.ts < agg.openTs || (r.ts === agg.openTs && r.seq < agg.openSeq)) {
    agg.open = r.value;
    agg.openTs = r.ts;
    agg.openSeq = r.seq;
  }
  if (agg.count === 0 || r.ts > agg.closeTs || (r.ts === agg.closeTs && r.seq > agg.closeSeq)) {
    agg.close = r.value;
    agg.closeTs = r.ts;
    agg.closeSeq = r.seq;
  }
  if (r.value > agg.high) agg.high = r.value;
  if (r.value < agg.low) agg.low = r.value;
  addExact(agg.volume, r.qty);
  addExact(agg.notional, r.value * r.qty);
  agg.count++;
}

/** Rewrites the sums in canonical form, so equal aggregates are equal objects. */
export function sealAggregate(agg: Aggregate): Aggregate {
  return { ...agg, volume: canonical(agg.volume), notional: canonical(agg.notional) };
}

export function aggregateOf(records: Iterable<DataRecord>): Aggregate {
  const agg = emptyAggregate();
  for (const r of records) addRecord(agg, r);
  return sealAggregate(agg);
}

/** The aggregate of the union of two disjoint sets of records. */
export function combineAggregates(a: Aggregate, b: Aggregate): Aggregate {
  if (a.count === 0) return b;
  if (b.count === 0) return a;
  const first = b.openTs < a.openTs || (b.openTs === a.openTs && b.openSeq < a.openSeq) ? b : a;
  const last = b.closeTs > a.closeTs || (b.closeTs === a.closeTs && b.closeSeq > a.closeSeq) ? b : a;
  return {
    count: a.count + b.count,
    open: first.open,
    openTs: first.openTs,
    openSeq: first.openSeq,
    close: last.close,
    closeTs: last.closeTs,
    closeSeq: last.closeSeq,
    high: Math.max(a.high, b.high),
    low: Math.min(a.low, b.low),
    volume: mergeExact(a.volume, b.volume),
    notional: mergeExact(a.notional, b.notional),
  };
}

/** One line of the export format (DESIGN §2) — the contract the tests compare across clouds. */
export interface ExportedWindow {
  series: string;
  window: string;
  start: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  /** `null` when the volume is zero: a weighted average of nothing is undefined, never NaN. */
  vwap: number | null;
  count: number;
  /** Present, and false, only when the window is not the exact aggregate of its records (`window-document.ts`). */
  exact?: false;
  /** Why not, when clouds hold different records under the same ids. */
  conflict?: string;
}

export function exportAggregate(
  series: string,
  window: string,
  start: number,
  agg: Aggregate,
): ExportedWindow {
  const volume = total(agg.volume);
  return {
    series,
    window,
    start,
    open: agg.open,
    high: agg.high,
    low: agg.low,
    close: agg.close,
    volume,
    vwap: volume === 0 ? null : total(agg.notional) / volume,
    count: agg.count,
  };
}
