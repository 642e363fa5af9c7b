import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeSeqSet, encodedSeqSetSize, encodeSeqSet, seqSetOf } from '../../shared/core/index.ts';

const range = (from: number, count: number, step = 1) =>
  Array.from({ length: count }, (_, i) => from + i * step);

/** Seq patterns that stress each container form: runs, bitmaps, sparse seqs up to 2^53, container edges. */
const arbPattern = fc.oneof(
  fc.array(fc.integer({ min: 0, max: 300_000 }), { maxLength: 400 }),
  fc.array(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), { maxLength: 200 }),
  fc
    .tuple(
      fc.integer({ min: 0, max: 2 ** 40 }),
      fc.integer({ min: 1, max: 20_000 }),
      fc.integer({ min: 1, max: 3 }),
    )
    .map(([from, count, step]) => range(from, count, step)),
  fc.constantFrom(range(65_530, 12), [0, 65_535, 65_536, 131_071], [Number.MAX_SAFE_INTEGER]),
);

describe('the seq set codec', () => {
  it('round-trips every set exactly and says its size without encoding', () => {
    fc.assert(
      fc.property(arbPattern, (seqs) => {
        const set = seqSetOf(seqs);
        const bytes = encodeSeqSet(set);
        expect(decodeSeqSet(bytes)).toEqual(set);
        expect(encodedSeqSetSize(set)).toBe(bytes.length);
      }),
    );
  });

  it('keeps a contiguous stream to a few bytes per 65,536 seqs', () => {
    expect(encodeSeqSet(seqSetOf(range(1_000, 1_000_000))).length).toBeLessThan(16 * 8);
  });

  it('stores every other seq as a bitmap: one bit per seq of the span', () => {
    const bytes = encodeSeqSet(seqSetOf(range(0, 100_000, 2)));
    // 200,000 seqs of span: four containers of 8 KiB, a few bytes of headers.
    expect(bytes.length).toBeLessThanOrEqual(4 * (8_192 + 4));
    expect(bytes.length).toBeGreaterThan(3 * 8_192);
  });

  it('costs a few bytes per sparse seq', () => {
    const seqs = range(7, 1_000, 2 ** 40);
    expect(encodeSeqSet(seqSetOf(seqs)).length / seqs.length).toBeLessThanOrEqual(10);
  });

  it('refuses bytes it did not write', () => {
    expect(() => decodeSeqSet(Uint8Array.of(1, 7))).toThrow(/unknown container kind 7/);
    expect(() => decodeSeqSet(Uint8Array.of(1, 1, 0))).toThrow(/inside a bitmap/);
  });
});
