/**
 * Bounded state (issue 14, DESIGN §2): whatever the seqs — contiguous, gappy, every other, sparse up to 2^53, or
 * adversarially piled into one slice — every stored item stays under the bound of the smallest store, and the
 * invariants still hold, through ingest and sync on three clouds, for any window sizes and routes.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ITEM_LIMIT_BYTES, toStored } from '../../shared/clouds/document-codec.ts';
import {
  type DataRecord,
  ORIGINS,
  type Origin,
  PART_SEQ_BYTES_LIMIT,
  parseWindows,
  SLICE_BLOCK,
  SLICES_PER_WINDOW,
} from '../../shared/core/index.ts';
import type { MemoryStore } from '../../shared/core/testing/index.ts';
import { contentOf, deliver, exportStore, makeClouds, syncUntilStable } from '../helpers/clouds.ts';
import { expectExact, messagesOf, referenceWindows, T0 } from '../helpers/records.ts';

/** Seqs in the shapes real id streams take, and one built to fill a single slice. */
const arbSeqs = fc.oneof(
  fc.integer({ min: 0, max: 2 ** 40 }).map((from) => (i: number) => from + i),
  fc.integer({ min: 0, max: 2 ** 40 }).map((from) => (i: number) => from + i + Math.floor(i / 9)),
  fc.integer({ min: 0, max: 2 ** 40 }).map((from) => (i: number) => from + 2 * i),
  // An odd multiplier modulo 2^53 is a bijection: distinct seqs scattered over the whole range.
  fc.constant((i: number) => Number((BigInt(i) * 0x9e3779b97f4a7c15n) % 2n ** 53n)),
  fc.constant((i: number) => i * SLICE_BLOCK * SLICES_PER_WINDOW),
);

/** Route per message: one cloud (partition, failover) or all three (mirror). */
const arbRoute = fc.constantFrom('partition', 'mirror');

function largestItem(store: MemoryStore): number {
  let largest = 0;
  for (const doc of store.docs.values()) {
    largest = Math.max(largest, Buffer.byteLength(JSON.stringify(toStored(doc))));
  }
  return largest;
}

describe('bounded state', () => {
  it('keeps every item under the bound and every invariant, for any seqs, window sizes and route', async () => {
    await fc.assert(
      fc.asyncProperty(
        arbSeqs,
        fc.integer({ min: 1, max: 3_000 }),
        fc.constantFrom('1m', '1m,1d', '1d', '5m,1h'),
        arbRoute,
        fc.integer({ min: 1, max: 400 }),
        async (seqOf, n, windows, route, perMessage) => {
          const specs = parseWindows(windows);
          const clouds = makeClouds(specs);
          const records: DataRecord[] = Array.from({ length: n }, (_, i) => ({
            series: 'S',
            seq: seqOf(i),
            ts: T0 + Math.floor((i * 120_000) / n),
            value: 100 + (i % 13),
            qty: 1,
          }));
          const messages = messagesOf(records, perMessage);
          await Promise.all(
            ORIGINS.map((origin, k) => {
              const mine = route === 'mirror' ? messages : messages.filter((_, i) => i % 3 === k);
              return deliver(clouds[origin], mine);
            }),
          );
          await syncUntilStable(clouds);
          for (const origin of ORIGINS) {
            expect(largestItem(clouds[origin].store)).toBeLessThanOrEqual(ITEM_LIMIT_BYTES);
            expect(contentOf(clouds[origin].store)).toEqual(contentOf(clouds.aws.store));
          }
          expectExact(exportStore(clouds.aws.store), referenceWindows(records, specs));
        },
      ),
      { numRuns: 40 },
    );
  });

  it('holds a slice that three origins each filled to the limit under the bound', async () => {
    const clouds = makeClouds(parseWindows('1m'));
    // Every seq in slice 0, each in a block of its own: the costliest shape a slice can hold, a few bytes a seq.
    const records = Array.from({ length: 14_000 }, (_, i) => ({
      series: 'S',
      seq: i * SLICE_BLOCK * SLICES_PER_WINDOW,
      ts: T0,
      value: i,
      qty: 1,
    }));
    // About 13,000 such seqs fill a part: the first 12,000 fit, the next invocation's 2,000 do not.
    const sent = async (origin: Origin) => {
      await deliver(clouds[origin], messagesOf(records.slice(0, 12_000), 500, `${origin}-a`));
      await deliver(clouds[origin], messagesOf(records.slice(12_000), 500, `${origin}-b`));
    };
    await Promise.all(ORIGINS.map(sent));
    await syncUntilStable(clouds);
    for (const origin of ORIGINS) {
      const slice = [...clouds[origin].store.docs.values()].find((d) => d.kind === 'slice');
      expect(slice?.kind === 'slice' && Object.keys(slice.parts).sort()).toEqual(['aws', 'azure', 'gcp']);
      expect(largestItem(clouds[origin].store)).toBeLessThanOrEqual(ITEM_LIMIT_BYTES);
      // What did not fit is dead-lettered, with its reason, and nothing beyond the limit is stored.
      expect(clouds[origin].store.deadLetters.size).toBe(2_000);
    }
    expect(largestItem(clouds.aws.store)).toBeGreaterThan(3 * PART_SEQ_BYTES_LIMIT);
  });
});

describe('conflicting records', () => {
  it('are visible in every store and in the export when clouds get other records under the same ids', async () => {
    const clouds = makeClouds(parseWindows('1m'));
    const records = Array.from({ length: 50 }, (_, i) => ({
      series: 'S',
      seq: i,
      ts: T0,
      value: 10,
      qty: 1,
    }));
    await deliver(clouds.aws, messagesOf(records, 10));
    await deliver(
      clouds.gcp,
      messagesOf(
        records.map((r) => ({ ...r, value: r.seq === 7 ? 11 : 10 })),
        10,
      ),
    );
    await syncUntilStable(clouds);
    for (const origin of ORIGINS) {
      const [window] = exportStore(clouds[origin].store);
      expect(window).toMatchObject({
        exact: false,
        conflict: 'aws and gcp hold the same 50 ids with different records',
      });
    }
  });
});
