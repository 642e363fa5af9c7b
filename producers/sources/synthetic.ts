/**
 * Synthetic records, deterministic by seed: trade-like random walks per series (`SYM000USDT`, price and quantity)
 * and meter-like readings (`meter-000`, a daily cycle plus noise, one reading a second). The same seed and options
 * give the same records on every machine, so a test or a resumed run can regenerate exactly what was sent.
 * Positions are record indices; resuming regenerates and skips (generation runs at millions of records a second).
 */
import type { DataRecord } from '../../shared/core/index.ts';
import type { Source, SourceItem } from './source.ts';

export type SyntheticKind = 'trades' | 'meters';

export interface SyntheticOptions {
  seed: number;
  series: number;
  kind?: SyntheticKind;
  /** Records in total; undefined streams until stopped. */
  records?: number;
  /** Event time of the first record, epoch ms. */
  start?: number;
  /** Milliseconds between consecutive records of one series (default 250 for trades, 1000 for meters). */
  intervalMs?: number;
  /** Series are named `<prefix>000`, `<prefix>001`, … (default `SYM000USDT`… for trades, `meter-000`… for meters). */
  prefix?: string;
}

export function syntheticSource(options: SyntheticOptions): Source {
  const kind = options.kind ?? 'trades';
  return {
    name: `synthetic:${kind}:seed=${options.seed}:series=${options.series}${options.prefix === undefined ? '' : `:prefix=${options.prefix}`}${options.start === undefined ? '' : `:start=${options.start}`}`,
    ...(options.records === undefined ? {} : { total: options.records }),
    async *items({ signal, resumeFrom }): AsyncGenerator<SourceItem> {
      const skip = resumeFrom === undefined ? 0 : Number(resumeFrom);
      const next = syntheticRecords({ ...options, kind });
      const end = options.records ?? Number.POSITIVE_INFINITY;
      for (let i = 0; i < end; i++) {
        const record = next();
        if (i < skip) continue;
        // Yield to the event loop now and then, so timers (progress, signals) run during a fast stream.
        if (i % 1_000 === 0) await new Promise<void>((resolve) => setImmediate(resolve));
        if (signal.aborted) return;
        yield { kind: 'record', record, position: String(i + 1) };
      }
    },
  };
}

/** A generator of the stream's records in order: series interleaved, each series' seqs contiguous from 0. */
export function syntheticRecords(options: SyntheticOptions): () => DataRecord {
  // Every 32-bit seed, 0 included, is a state of this full-period LCG: a seed of 0 is a stream of its own.
  let state = options.seed >>> 0;
  const random = () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 4_294_967_296;
  };
  const kind = options.kind ?? 'trades';
  const n = Math.max(1, options.series);
  const interval = options.intervalMs ?? (kind === 'trades' ? 250 : 1_000);
  const start = options.start ?? 1_700_000_000_000;
  const levels = Array.from({ length: n }, (_, i) => 100 + i);
  const names = Array.from({ length: n }, (_, i) => {
    const number = String(i).padStart(3, '0');
    if (options.prefix !== undefined) return `${options.prefix}${number}`;
    return kind === 'trades' ? `SYM${number}USDT` : `meter-${number}`;
  });
  let i = 0;
  return () => {
    const s = i % n;
    const tick = Math.floor(i / n);
    i++;
    if (kind === 'trades') {
      levels[s] = Math.max(0.01, levels[s]! * (1 + (random() - 0.5) * 0.002));
      return {
        series: names[s]!,
        seq: tick,
        ts: start + tick * interval + Math.floor(random() * interval),
        value: Math.round(levels[s]! * 100) / 100,
        qty: Math.round(random() * 1_000) / 1_000,
      };
    }
    const ts = start + tick * interval;
    const daily = Math.sin(((ts % 86_400_000) / 86_400_000) * 2 * Math.PI);
    return {
      series: names[s]!,
      seq: tick,
      ts,
      value: Math.round((levels[s]! + 20 * daily + (random() - 0.5) * 4) * 1_000) / 1_000,
      qty: 1,
    };
  };
}

/**
 * `records` trade-like records at once, for benchmarks and fixtures that need the whole stream in memory (the
 * same records `syntheticSource` streams for these options; seed 42 unless given).
 */
export function syntheticTrades(opts: {
  records: number;
  series: number;
  intervalMs: number;
  seed?: number;
  start?: number;
}): DataRecord[] {
  const next = syntheticRecords({
    seed: opts.seed ?? 42,
    series: opts.series,
    kind: 'trades',
    intervalMs: opts.intervalMs,
    ...(opts.start === undefined ? {} : { start: opts.start }),
  });
  return Array.from({ length: opts.records }, next);
}
