/**
 * The JSON Schemas a record is checked against, as plain data: `record-checks.ts` compiles them when it loads, and
 * the build compiles the same schemas ahead of time for the bundles (`scripts/build/precompiled-checks.ts`).
 */

export const SERIES_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;
/** 2100-01-01T00:00:00Z: anything later is a unit mistake (seconds vs micro- or nanoseconds). */
export const MAX_TS = 4_102_444_800_000;

const field = {
  series: { type: 'string', pattern: SERIES_PATTERN.source },
  seq: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
  ts: { type: 'integer', minimum: 0, maximum: MAX_TS },
  value: { type: 'number' },
  qty: { type: 'number', minimum: 0 },
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
