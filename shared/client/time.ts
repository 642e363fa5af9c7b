/** Times as people write them in a query: ISO 8601 with a zone, a UTC date, or epoch milliseconds. */

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
