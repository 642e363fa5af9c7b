/** Deterministic trade-like records for benchmarks: random walks per series, interleaved in time order. */
import type { DataRecord } from '../shared/core/index.ts';

export interface TradeStreamOptions {
  records: number;
  series: number;
  /** Milliseconds between consecutive records of one series. */
  intervalMs: number;
  seed?: number;
  start?: number;
}

export function syntheticTrades(opts: TradeStreamOptions): DataRecord[] {
  let state = (opts.seed ?? 42) >>> 0;
  const random = () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 4_294_967_296;
  };
  const prices = Array.from({ length: opts.series }, (_, i) => 100 + i);
  const names = Array.from({ length: opts.series }, (_, i) => `SYM${String(i).padStart(3, '0')}USDT`);
  const start = opts.start ?? 1_700_000_000_000;
  const out: DataRecord[] = new Array(opts.records);
  for (let i = 0; i < opts.records; i++) {
    const s = i % opts.series;
    const tick = Math.floor(i / opts.series);
    prices[s] = Math.max(0.01, prices[s]! * (1 + (random() - 0.5) * 0.002));
    out[i] = {
      series: names[s]!,
      seq: tick,
      ts: start + tick * opts.intervalMs + Math.floor(random() * opts.intervalMs),
      value: Math.round(prices[s]! * 100) / 100,
      qty: Math.round(random() * 1_000) / 1_000,
    };
  }
  return out;
}
