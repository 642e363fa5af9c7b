/**
 * Bounded state (issue 14, DESIGN §2): whatever the seqs — contiguous, gappy, every other, sparse up to 2^53, or
 * each in a slice of its own — every stored item stays under the bound of the smallest store, nothing is refused,
 * every window's summary tree matches its slices, and the invariants still hold, through ingest and sync on three
 * clouds, for any window sizes and routes.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ITEM_LIMIT_BYTES, toStored } from '../../shared/clouds/document-codec.ts';
import { type DataRecord, ORIGINS, parseWindows, SLICE_BLOCK } from '../../shared/core/index.ts';
import type { MemoryStore } from '../../shared/core/testing/index.ts';
import { contentOf, deliver, exportStore, makeClouds, syncUntilStable } from '../helpers/clouds.ts';
import { expectExact, messagesOf, referenceWindows, T0 } from '../helpers/records.ts';
import { summaryTreeProblems } from '../helpers/summary-tree.ts';

/** Seqs in the shapes real id streams take, and one built to give every record a slice of its own. */
const arbSeqs = fc.oneof(
  fc.integer({ min: 0, max: 2 ** 40 }).map((from) => (i: number) => from + i),
  fc.integer({ min: 0, max: 2 ** 40 }).map((from) => (i: number) => from + i + Math.floor(i / 9)),
  fc.integer({ min: 0, max: 2 ** 40 }).map((from) => (i: number) => from + 2 * i),
  // An odd multiplier modulo 2^53 is a bijection: distinct seqs scattered over the whole range.
  fc.constant((i: number) => Number((BigInt(i) * 0x9e3779b97f4a7c15n) % 2n ** 53n)),
  fc.integer({ min: 1, max: 2 ** 16 }).map((step) => (i: number) => i * SLICE_BLOCK * step),
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
        fc.integer({ min: 1, max: 2_000 }),
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
            expect(clouds[origin].store.deadLetters.size).toBe(0);
            expect(summaryTreeProblems(clouds[origin].store.docs)).toEqual([]);
            expect(contentOf(clouds[origin].store)).toEqual(contentOf(clouds.aws.store));
          }
          expectExact(exportStore(clouds.aws.store), referenceWindows(records, specs));
        },
      ),
      { numRuns: 40 },
    );
  });

  it('takes 6,000 ids scattered over 2^53 in one window from each of three origins, bounded and exact', async () => {
    const specs = parseWindows('1m');
    const clouds = makeClouds(specs);
    // Each in a slice of its own, the costliest shape for the summary: the window splits into a tree.
    const records = Array.from({ length: 6_000 }, (_, i) => ({
      series: 'S',
      seq: Number((BigInt(i + 1) * 0x9e3779b97f4a7c15n) % 2n ** 53n),
      ts: T0 + (i % 60_000),
      value: 100 + (i % 17),
      qty: 1 + (i % 3),
    }));
    const messages = messagesOf(records, 500);
    // Mirrored, in different orders: every slice ends with three parts.
    await Promise.all(
      ORIGINS.map((origin, k) => deliver(clouds[origin], k === 1 ? [...messages].reverse() : messages)),
    );
    await syncUntilStable(clouds);
    for (const origin of ORIGINS) {
      expect(clouds[origin].store.deadLetters.size).toBe(0);
      expect(largestItem(clouds[origin].store)).toBeLessThanOrEqual(ITEM_LIMIT_BYTES);
      expect(summaryTreeProblems(clouds[origin].store.docs)).toEqual([]);
      expect(contentOf(clouds[origin].store)).toEqual(contentOf(clouds.aws.store));
    }
    expectExact(exportStore(clouds.gcp.store), referenceWindows(records, specs));
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
