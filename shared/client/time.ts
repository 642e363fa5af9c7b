/** Times as people write them in a query: ISO 8601 with a zone, a UTC date, or epoch milliseconds. */
import { QueryError } from '../core/read-windows.ts';

const ISO = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2}))?$/;

/**
 * Parses `text` as a time; `fallback` when absent. A local time without a zone is refused, since it would mean
 * another instant on every machine. Returns NaN for what it cannot read, for the caller to name the parameter.
 */
export function parseTime(text: string | undefined, fallback: number): number {
  if (text === undefined || text === '') return fallback;
  if (/^\d{1,16}$/.test(text)) return Number(text);
  return ISO.test(text) ? Date.parse(text) : Number.NaN;
}

export const TIME_FORMS =
  'ISO 8601 with a zone (2026-11-27T09:00:00Z), a date (2026-11-27), or epoch milliseconds';

/** How far back a query reaches when it names no `from`. */
export const DEFAULT_SPAN_MS = 3_600_000;

/** A query's time parameter, `name` as the caller calls it; a {@link QueryError} naming it when unreadable. */
export function parseTimeParameter(text: string | undefined, name: string, fallback: number): number {
  const ms = parseTime(text, fallback);
  if (!Number.isFinite(ms)) {
    throw new QueryError(name, `${name} must be a time: ${TIME_FORMS}; got ${JSON.stringify(text)}`);
  }
  return ms;
}

/**
 * A query's `[from, to)` from what a person wrote: `to` defaults to now, `from` to {@link DEFAULT_SPAN_MS} before
 * `to`. `names` are the parameters as the caller spells them (`from`, or `--from`), for the error.
 */
export function timeRange(
  text: { from?: string | undefined; to?: string | undefined },
  now: number,
  names = { from: 'from', to: 'to' },
): { from: number; to: number } {
  const to = parseTimeParameter(text.to, names.to, now);
  return { from: parseTimeParameter(text.from, names.from, to - DEFAULT_SPAN_MS), to };
}
