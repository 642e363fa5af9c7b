import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  seqSetDifference,
  seqSetHas,
  seqSetIsSubset,
  seqSetOf,
  seqSetSize,
  seqSetsDisjoint,
  seqSetUnion,
} from '../../shared/core/index.ts';

const arbSeqs = fc.array(fc.integer({ min: 0, max: 60 }), { maxLength: 40 });

describe('seq sets', () => {
  it('keep a contiguous stream as one interval', () => {
    expect(seqSetOf(Array.from({ length: 1_000 }, (_, i) => 999 - i))).toEqual([0, 999]);
    expect(seqSetOf([5, 1, 2, 3, 9, 9, 10])).toEqual([1, 3, 5, 5, 9, 10]);
  });

  it('agree with a plain Set on every operation', () => {
    fc.assert(
      fc.property(arbSeqs, arbSeqs, fc.integer({ min: -1, max: 61 }), (a, b, probe) => {
        const sa = seqSetOf(a);
        const sb = seqSetOf(b);
        const setA = new Set(a);
        const setB = new Set(b);
        expect(seqSetSize(sa)).toBe(setA.size);
        expect(seqSetHas(sa, probe)).toBe(setA.has(probe));
        expect(seqSetUnion(sa, sb)).toEqual(seqSetOf([...a, ...b]));
        expect(seqSetDifference(sa, sb)).toEqual(seqSetOf(a.filter((x) => !setB.has(x))));
        expect(seqSetsDisjoint(sa, sb)).toBe([...setA].every((x) => !setB.has(x)));
        expect(seqSetIsSubset(sa, sb)).toBe([...setA].every((x) => setB.has(x)));
        // Canonical: sorted, disjoint, non-adjacent intervals.
        for (let i = 0; i < sa.length; i += 2) {
          expect(sa[i]!).toBeLessThanOrEqual(sa[i + 1]!);
          if (i > 0) expect(sa[i]!).toBeGreaterThan(sa[i - 1]! + 1);
        }
      }),
      { numRuns: 500 },
    );
  });
});
