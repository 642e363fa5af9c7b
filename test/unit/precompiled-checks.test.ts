import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { precompiledChecksSource } from '../../scripts/build/precompiled-checks.ts';
import { type Check, checks } from '../../shared/core/record-checks.ts';
import { recordSchemas } from '../../shared/core/record-schemas.ts';

/** The module the bundles carry in place of `record-checks.ts`, loaded as they load it. */
const precompiled = (await import(
  `data:text/javascript;base64,${Buffer.from(precompiledChecksSource()).toString('base64')}`
)) as { checks: Record<keyof typeof recordSchemas, Check> };

/** Values near every boundary of the schemas: integers at the limits, patterns, arrays of 3–6 items. */
const scalar = fc.oneof(
  fc.integer(),
  fc.constantFrom(
    0,
    -1,
    1.5,
    Number.MAX_SAFE_INTEGER,
    Number.MAX_SAFE_INTEGER + 2,
    4_102_444_800_000,
    4_102_444_800_001,
  ),
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, -0, null, undefined, true),
  fc.double(),
  fc.string({ maxLength: 130 }),
  fc.stringMatching(/^[A-Za-z0-9._:-]{1,128}$/),
);
const value = fc.oneof(
  scalar,
  fc.array(scalar, { minLength: 3, maxLength: 6 }),
  fc.record({ series: scalar, seq: scalar, ts: scalar, value: scalar, qty: scalar }, { requiredKeys: [] }),
);

describe('precompiled record checks (what the bundles run)', () => {
  it('has one check per schema', () => {
    expect(Object.keys(precompiled.checks).sort()).toEqual(Object.keys(recordSchemas).sort());
  });

  it('agrees with the checks TypeBox compiles at load, on every schema', () => {
    fc.assert(
      fc.property(value, (v) => {
        for (const name of Object.keys(recordSchemas) as (keyof typeof recordSchemas)[])
          expect(precompiled.checks[name](v), name).toBe(checks[name](v));
      }),
      { numRuns: 5_000 },
    );
  });

  it('accepts a valid row and rejects a row with a fractional seq', () => {
    expect(precompiled.checks.row5(['BTCUSDT', 1, 1_700_000_000_000, 10, 2])).toBe(true);
    expect(precompiled.checks.row5(['BTCUSDT', 1.5, 1_700_000_000_000, 10, 2])).toBe(false);
  });
});
