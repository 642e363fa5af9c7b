/**
 * What the report page draws, derived from a run's data in Node (typed and unit-tested) so the browser script only
 * draws: candles per series and cloud at the series' smallest window, throughput per cloud from the cumulative
 * samples, sync lag per cloud and source. The page inlines this model as JSON.
 */
import { type ExportedWindow, ORIGINS, type Origin, parseWindow } from '../../shared/core/index.ts';

/**
 * Most candles drawn per chart. A canvas chart stays fluid with thousands of bars, but a 1m series over weeks
 * (tens of thousands of windows, ×24 charts) would make the page slow to open; the latest windows are kept and the
 * page says how many were left out.
 */
export const MAX_CANDLES_PER_CHART = 2_000;
/** Most points per timeline line: samples are grouped into buckets of whole seconds to stay under it. */
export const MAX_TIMELINE_POINTS = 1_000;

/** One candle, `time` in UTC seconds (the chart library's time unit). */
export interface Candle {
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  vwap: number | null;
  count: number;
}

export interface CandlePanel {
  cloud: Origin;
  candles: Candle[];
  /** Windows of this series and window size the cloud exported, before the cap. */
  total: number;
}

export interface SeriesRow {
  series: string;
  /** The smallest window size any cloud exported for this series, e.g. `1m`. */
  window: string;
  panels: CandlePanel[];
}

/** A point of a timeline chart: `time` in seconds since the run started. */
export interface TimelinePoint {
  time: number;
  value: number;
}

export interface ReportModel {
  title: string;
  generatedAt: string;
  summary: [string, string | number][];
  rows: SeriesRow[];
  maxCandles: number;
  /** Width of one timeline bucket in seconds. */
  bucketSeconds: number;
  /** Records per second ingested by each cloud, per bucket. */
  throughput: Record<Origin, TimelinePoint[]>;
  /** Sync lag in seconds of each cloud (outer key) behind each source cloud (inner key), per bucket. */
  syncLag: Record<Origin, Partial<Record<Origin, TimelinePoint[]>>>;
}

/** The inputs the model needs; `ReportData` in `write-report.ts` is this shape. */
export interface ModelInput {
  title: string;
  generatedAt: string;
  windows: Partial<Record<Origin, readonly ExportedWindow[]>>;
  timeline: readonly {
    t: number;
    cloud: Origin;
    ingestedRecords: number;
    syncLagMs: Partial<Record<Origin, number>>;
  }[];
  summary?: Record<string, string | number>;
}

export function buildReportModel(data: ModelInput): ReportModel {
  return {
    title: data.title,
    generatedAt: data.generatedAt,
    summary: Object.entries(data.summary ?? {}),
    rows: candleRows(data.windows),
    maxCandles: MAX_CANDLES_PER_CHART,
    ...timelines(data.timeline),
  };
}

function candleRows(windows: ModelInput['windows']): SeriesRow[] {
  const sizeOf = new Map<string, number>();
  const smallest = new Map<string, string>();
  for (const cloud of ORIGINS) {
    for (const w of windows[cloud] ?? []) {
      const size = sizeOf.get(w.window) ?? parseWindow(w.window).sizeMs;
      sizeOf.set(w.window, size);
      const current = smallest.get(w.series);
      if (current === undefined || size < sizeOf.get(current)!) smallest.set(w.series, w.window);
    }
  }
  const series = [...smallest.keys()].sort();
  return series.map((name) => {
    const window = smallest.get(name)!;
    return {
      series: name,
      window,
      panels: ORIGINS.map((cloud) => {
        const all = (windows[cloud] ?? [])
          .filter((w) => w.series === name && w.window === window)
          .sort((a, b) => a.start - b.start);
        return { cloud, total: all.length, candles: all.slice(-MAX_CANDLES_PER_CHART).map(candleOf) };
      }),
    };
  });
}

function candleOf(w: ExportedWindow): Candle {
  // The library's time unit is the second; windows of whole seconds map exactly. Sub-second windows (allowed,
  // e.g. 250ms) would collide, so their start is kept as a fraction, which the time scale orders correctly.
  return {
    time: w.start / 1000,
    open: w.open,
    high: w.high,
    low: w.low,
    close: w.close,
    volume: w.volume,
    vwap: w.vwap,
    count: w.count,
  };
}

function timelines(
  samples: ModelInput['timeline'],
): Pick<ReportModel, 'bucketSeconds' | 'throughput' | 'syncLag'> {
  const lastMs = samples.reduce((m, s) => Math.max(m, s.t), 0);
  const bucketSeconds = Math.max(1, Math.ceil(lastMs / 1000 / MAX_TIMELINE_POINTS));
  const bucketMs = bucketSeconds * 1000;
  const throughput = {} as Record<Origin, TimelinePoint[]>;
  const syncLag = {} as Record<Origin, Partial<Record<Origin, TimelinePoint[]>>>;
  for (const cloud of ORIGINS) {
    const own = samples.filter((s) => s.cloud === cloud).sort((a, b) => a.t - b.t);
    // The last cumulative count in each bucket ((k-1)·width, k·width], drawn at the bucket's end k·width. A
    // sample at t = 0 joins the first bucket, so no rate is measured over zero time.
    const ends = new Map<number, number>();
    const lags = new Map<Origin, Map<number, number>>();
    for (const s of own) {
      const k = Math.max(1, Math.ceil(s.t / bucketMs));
      ends.set(k, s.ingestedRecords);
      for (const source of ORIGINS) {
        const lag = s.syncLagMs[source];
        if (lag === undefined || !Number.isFinite(lag)) continue;
        const byBucket = lags.get(source) ?? new Map<number, number>();
        byBucket.set(k, lag / 1000);
        lags.set(source, byBucket);
      }
    }
    // The run starts at t = 0 with nothing ingested, so the first bucket's rate is measured from there.
    let previousTime = 0;
    let previousCount = 0;
    throughput[cloud] = [...ends.entries()].map(([k, count]) => {
      const time = k * bucketSeconds;
      const point = { time, value: Math.max(0, count - previousCount) / (time - previousTime) };
      previousTime = time;
      previousCount = count;
      return point;
    });
    syncLag[cloud] = Object.fromEntries(
      [...lags.entries()].map(([source, byBucket]) => [
        source,
        [...byBucket.entries()].map(([k, value]) => ({ time: k * bucketSeconds, value })),
      ]),
    );
  }
  return { bucketSeconds, throughput, syncLag };
}
