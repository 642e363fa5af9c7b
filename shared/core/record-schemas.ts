/**
 * The JSON Schemas a record is checked against, as plain data: `record-checks.ts` compiles them when it loads, and
 * the build compiles the same schemas ahead of time for the bundles (`scripts/build/precompiled-checks.ts`).
 */

export const SERIES_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;
/** 2100-01-01T00:00:00Z: anything later is a unit mistake (micro- or nanoseconds for milliseconds). */
export const MAX_TS = 4_102_444_800_000;
/**
 * 2000-01-01T00:00:00Z: anything earlier is almost surely seconds given for milliseconds (every time up to 2100 in
 * seconds is below 4.2e9 ms, early 1970), which would land records in windows of January 1970.
 */
export const MIN_TS = 946_684_800_000;

/**
 * The largest magnitude of `value` and `qty`: the range of numbers every store keeps as a number (DynamoDB's is
 * 1e-130 to 9.99e125). It also keeps sums exact and finite: a product is at most 1e250, and 2^53 of them sum to
 * below 1e267, far from the largest double (1.8e308), where `value × qty` of two finite doubles could overflow.
 */
export const MAX_MAGNITUDE = 1e125;

const field = {
  series: { type: 'string', pattern: SERIES_PATTERN.source },
  seq: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
  ts: { type: 'integer', minimum: MIN_TS, maximum: MAX_TS },
  value: { type: 'number', minimum: -MAX_MAGNITUDE, maximum: MAX_MAGNITUDE },
  qty: { type: 'number', minimum: 0, maximum: MAX_MAGNITUDE },
} as const;

/** A row of exactly its fields: `items` as a list is positional, and `additionalItems: false` caps the length. */
const row = (items: readonly object[]) =>
  ({ type: 'array', items, minItems: items.length, additionalItems: false }) as const;

export const recordSchemas = {
  ...field,
  object: { type: 'object', required: ['series', 'seq', 'ts', 'value'], properties: field },
  row4: row([field.series, field.seq, field.ts, field.value]),
  row5: row([field.series, field.seq, field.ts, field.value, field.qty]),
} as const;

export type RecordSchemaName = keyof typeof recordSchemas;
