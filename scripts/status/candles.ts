/**
 * Each cloud's candles for one series and window size, for the live page: the newest {@link CANDLES} windows the
 * stores hold for it, read through each store's range index with the read use case (the read functions' own path),
 * each cloud under the deadline so a silent one leaves its panel saying so.
 */
import {
  type AggregateStore,
  checkQuery,
  ORIGINS,
  type Origin,
  parseWindow,
  type ReadWindow,
  readWindows,
} from '../../shared/core/index.ts';
import { within } from './deadline.ts';
import type { SeriesSpan } from './status-model.ts';

export const CANDLES = 60;

export interface CandleSet {
  series: string;
  window: string;
  /** The range read, `[from, to)`, epoch ms. */
  from: number;
  to: number;
  clouds: Record<Origin, { windows: ReadWindow[] } | { error: string }>;
}

/**
 * The range ending with the newest window any store holds for the series (the last `count` windows up to it), or
 * the last `count` windows before `now` when no store is known to hold the series.
 */
export function candleRange(
  spans: readonly SeriesSpan[],
  series: string,
  window: string,
  now: number,
  count = CANDLES,
): { from: number; to: number } {
  const { sizeMs } = parseWindow(window);
  const lasts = spans.filter((s) => s.series === series && s.window === window).map((s) => s.last);
  const last = lasts.length > 0 ? Math.max(...lasts) : Math.floor(now / sizeMs) * sizeMs;
  return { from: last - (count - 1) * sizeMs, to: last + sizeMs };
}

export async function readCandles(
  stores: Partial<Record<Origin, AggregateStore | string>>,
  spans: readonly SeriesSpan[],
  query: { series: string; window: string; now: number; deadlineMs: number },
): Promise<CandleSet> {
  const { from, to } = candleRange(spans, query.series, query.window, query.now);
  // A bad series or size is the asker's mistake, said once, not three clouds' failures.
  checkQuery({ series: query.series, window: query.window, from, to });
  const deadlineAt = Date.now() + query.deadlineMs;
  const entries = await Promise.all(
    ORIGINS.map(async (cloud) => {
      const store = stores[cloud];
      if (store === undefined || typeof store === 'string')
        return [cloud, { error: store ?? 'not configured' }];
      const page = await within(
        readWindows(store, { series: query.series, window: query.window, from, to, limit: 1_000 }),
        deadlineAt,
        query.deadlineMs,
      );
      return [cloud, page.ok ? { windows: page.value.windows } : { error: page.error }];
    }),
  );
  return { series: query.series, window: query.window, from, to, clouds: Object.fromEntries(entries) };
}
