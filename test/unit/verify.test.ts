import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareExports, dayOf, type ExportedWindow } from '../../shared/core/index.ts';

const w = (over: Partial<ExportedWindow> = {}): ExportedWindow => ({
  series: 'S',
  window: '1m',
  start: 1_700_000_040_000,
  open: 1,
  high: 2,
  low: 1,
  close: 2,
  volume: 3,
  vwap: 1.5,
  count: 2,
  ...over,
});

describe('verify', () => {
  it('finds identical stores identical', () => {
    const result = compareExports({ aws: [w()], gcp: [w()], azure: [w()] });
    expect(result).toMatchObject({ identical: true, differing: [], groups: 1 });
    expect(result.digests.aws).toEqual(result.digests.gcp);
  });

  it('names the window that differs, and the window a cloud lacks', () => {
    const other = w({ start: 1_700_000_100_000 });
    const result = compareExports({ aws: [w(), other], gcp: [w({ close: 2.5 }), other], azure: [w()] });
    expect(result.identical).toBe(false);
    expect(result.differing.map((d) => d.start)).toEqual([1_700_000_040_000, 1_700_000_100_000]);
    expect(result.differing[0]?.byCloud.gcp?.close).toBe(2.5);
    expect(result.differing[1]?.byCloud.azure).toBeNull();
  });

  it('computes UTC days as Date does', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4_102_444_800_000 }), (ms) => {
        expect(dayOf(ms)).toBe(new Date(ms).toISOString().slice(0, 10));
      }),
      { numRuns: 2_000 },
    );
  });
});
