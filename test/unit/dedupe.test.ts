/**
 * The producer's seen records: a repeated `(series, seq)` is taken once, and the summary that the spool keeps across
 * restarts holds only what committed chunks carry.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DistinctRecords, SeenRecords } from '../../producers/dedupe.ts';
import { seqSetOf } from '../../shared/core/index.ts';

describe('seen records', () => {
  it('take each (series, seq) once, in or out of order, with interval memory', () => {
    const seen = new SeenRecords();
    const taken = [5, 6, 7, 6, 1, 9, 8, 1, 5].map((seq) => seen.take('A', seq));
    expect(taken).toEqual([true, true, true, false, true, true, true, false, false]);
    expect(seen.seqs('A')).toEqual([1, 1, 5, 9]);
    expect(seen.take('B', 1)).toBe(true);
    for (let i = 0; i < 100_000; i++) seen.take('C', i);
    expect(seen.seqs('C')).toEqual([0, 99_999]);
  });

  it('summarise only what is settled, so a record of a chunk never committed is taken again after a restart', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom('A', 'B', 'C'), fc.integer({ min: 0, max: 40 })), {
          maxLength: 60,
        }),
        fc.array(fc.tuple(fc.constantFrom('A', 'B', 'C'), fc.integer({ min: 0, max: 40 })), {
          maxLength: 30,
        }),
        (committed, open) => {
          const seen = new SeenRecords();
          for (const [series, seq] of committed) seen.take(series, seq);
          seen.settle();
          for (const [series, seq] of open) seen.take(series, seq);
          const restored = SeenRecords.fromSummary(seen.summary());
          const wasCommitted = new Set(committed.map(([series, seq]) => `${series}#${seq}`));
          const keys = new Set([...committed, ...open].map(([series, seq]) => `${series}#${seq}`));
          for (const key of keys) {
            const [series, seq] = key.split('#') as [string, string];
            expect(restored.take(series, Number(seq))).toBe(!wasCommitted.has(key));
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('count the distinct (series, seq) taken, also when whole sets are taken at once', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom('A', 'B'), fc.integer({ min: 0, max: 60 })), { maxLength: 80 }),
        fc.array(fc.integer({ min: 0, max: 60 }), { maxLength: 20 }),
        (takes, restored) => {
          const distinct = new DistinctRecords();
          distinct.takeAll('A', seqSetOf(restored));
          for (const [series, seq] of takes) distinct.take(series, seq);
          const keys = new Set([
            ...restored.map((s) => `A#${s}`),
            ...takes.map(([series, seq]) => `${series}#${seq}`),
          ]);
          expect(distinct.size).toBe(keys.size);
        },
      ),
      { numRuns: 300 },
    );
  });
});
