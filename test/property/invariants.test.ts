/**
 * The five invariants of DESIGN §3, each a property over random streams, with duplicates, permutations, injected
 * conflicts, crashes between document writes and random interleavings of ingest and sync across three clouds.
 * Every run is compared with the straightforward reference aggregation of the distinct records.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type DataRecord, ORIGINS, type Origin, UnavailableError } from '../../shared/core/index.ts';
import {
  type Cloud,
  contentOf,
  deliver,
  exportStore,
  makeClouds,
  syncPass,
  syncUntilStable,
  WINDOWS,
} from '../helpers/clouds.ts';
import { arbRecords, expectExact, messagesOf, referenceWindows } from '../helpers/records.ts';

const RUNS = { numRuns: 150 };

/** Fault plans applied to a store before a delivery: lost conditional writes and crashes between writes. */
const arbFaults = fc.record({
  conflicts: fc.integer({ min: 0, max: 6 }),
  crashAfterWrites: fc.option(fc.integer({ min: 1, max: 8 }), { nil: undefined }),
});

function applyFaults(cloud: Cloud, faults: { conflicts: number; crashAfterWrites?: number | undefined }) {
  cloud.store.injectConflicts(faults.conflicts);
  if (faults.crashAfterWrites !== undefined) {
    cloud.store.afterWrites(faults.crashAfterWrites, () => {
      cloud.store.down = true;
    });
  }
}

describe('invariant 1: idempotent', () => {
  it('applying messages again changes nothing and writes nothing', async () => {
    await fc.assert(
      fc.asyncProperty(
        arbRecords,
        fc.integer({ min: 1, max: 12 }),
        fc.array(fc.nat()),
        async (records, size, again) => {
          const { aws } = makeClouds();
          const messages = messagesOf(records, size);
          await deliver(aws, messages);
          const before = contentOf(aws.store, true);
          const writes = aws.store.counters.writes;
          const redelivered = messages.length ? again.map((i) => messages[i % messages.length]!) : [];
          await deliver(aws, [...redelivered, ...messages]);
          expect(contentOf(aws.store, true)).toEqual(before);
          expect(aws.store.counters.writes).toBe(writes);
        },
      ),
      RUNS,
    );
  });
});

describe('invariant 2: order-free', () => {
  it('any permutation and batching of the same messages, duplicated, gives the same parts and merged view', async () => {
    const arbCase = arbRecords.chain((records) =>
      fc.record({
        records: fc.constant(records),
        size: fc.integer({ min: 1, max: 10 }),
        order: fc.shuffledSubarray(
          messagesOf(records, 5).map((_, i) => i),
          { minLength: messagesOf(records, 5).length },
        ),
        duplicates: fc.array(fc.nat(), { maxLength: 5 }),
        batch: fc.integer({ min: 1, max: 6 }),
        faults: arbFaults,
      }),
    );
    await fc.assert(
      fc.asyncProperty(arbCase, async ({ records, order, duplicates, batch, faults }) => {
        const a = makeClouds().aws;
        const b = makeClouds(WINDOWS, 2).aws;
        const messages = messagesOf(records, 5);
        await deliver(a, messages);
        const shuffled = order.map((i) => messages[i]!);
        const dupes = messages.length ? duplicates.map((i) => messages[i % messages.length]!) : [];
        const delivery = [...shuffled, ...dupes];
        applyFaults(b, faults);
        for (let i = 0; i < delivery.length; i += batch) await deliver(b, delivery.slice(i, i + batch));
        expect(contentOf(b.store)).toEqual(contentOf(a.store));
      }),
      RUNS,
    );
  });
});

describe('invariant 3: exact', () => {
  it('the merged view equals an aggregate computed directly from the distinct records', async () => {
    await fc.assert(
      fc.asyncProperty(
        arbRecords,
        fc.array(fc.nat(), { maxLength: 20 }),
        arbFaults,
        async (records, dupes, faults) => {
          const { gcp } = makeClouds();
          const withDuplicates = [
            ...records,
            ...dupes.flatMap((i) => (records.length ? [records[i % records.length]!] : [])),
          ];
          applyFaults(gcp, faults);
          await deliver(gcp, messagesOf(withDuplicates, 7));
          expectExact(exportStore(gcp.store), referenceWindows(records, WINDOWS));
          for (const doc of gcp.store.docs.values()) expect(doc.merged.exact).toBe(true);
        },
      ),
      RUNS,
    );
  });
});

type Route = 'partition' | 'failover' | 'mirror';

/** Which clouds each record is sent to under a routing pattern; `pick` drives the random choices. */
function route(records: DataRecord[], mode: Route, pick: number[]): Record<Origin, DataRecord[]> {
  const out: Record<Origin, DataRecord[]> = { aws: [], gcp: [], azure: [] };
  const seriesHome = new Map<string, Origin>();
  records.forEach((r, i) => {
    const p = pick[i % Math.max(1, pick.length)] ?? 0;
    if (mode === 'partition') {
      if (!seriesHome.has(r.series)) seriesHome.set(r.series, ORIGINS[seriesHome.size % 3]!);
      out[seriesHome.get(r.series)!].push(r);
    } else if (mode === 'failover') {
      out[ORIGINS[p % 3]!].push(r);
    } else {
      for (const o of ORIGINS) out[o].push(r);
    }
  });
  return out;
}

const arbStep = fc.oneof(
  fc.record({
    kind: fc.constant('ingest' as const),
    cloud: fc.constantFrom(...ORIGINS),
    n: fc.integer({ min: 1, max: 4 }),
  }),
  fc.record({ kind: fc.constant('sync' as const), into: fc.constantFrom(...ORIGINS) }),
  fc.record({
    kind: fc.constant('race' as const),
    cloud: fc.constantFrom(...ORIGINS),
    n: fc.integer({ min: 1, max: 4 }),
  }),
  fc.record({
    kind: fc.constant('outage' as const),
    cloud: fc.constantFrom(...ORIGINS),
    afterWrites: fc.integer({ min: 1, max: 5 }),
  }),
);

describe('invariant 4: convergent', () => {
  it.each(['partition', 'failover', 'mirror'] as const)(
    'route %s: random interleavings of ingest, sync, races and outages end with identical, exact stores',
    async (mode) => {
      await fc.assert(
        fc.asyncProperty(
          arbRecords,
          fc.array(fc.nat(), { minLength: 1, maxLength: 50 }),
          fc.array(arbStep, { maxLength: 30 }),
          async (records, pick, steps) => {
            const clouds = makeClouds();
            const routed = route(records, mode, pick);
            // Mirror: each cloud's stream is cut into messages differently, as independent producers would.
            const queues = Object.fromEntries(
              ORIGINS.map((o, i) => [o, messagesOf(routed[o], 3 + i, `${o}-`)]),
            ) as Record<Origin, ReturnType<typeof messagesOf>>;
            const take = (o: Origin, n: number) => queues[o].splice(0, n);
            for (const step of steps) {
              if (step.kind === 'ingest') await deliver(clouds[step.cloud], take(step.cloud, step.n));
              if (step.kind === 'sync') await syncPass(clouds, step.into);
              if (step.kind === 'race') {
                // An ingest and a sync write the same documents of one store concurrently.
                await Promise.all([
                  deliver(clouds[step.cloud], take(step.cloud, step.n)),
                  syncPass(clouds, step.cloud),
                ]);
              }
              if (step.kind === 'outage') {
                const { store } = clouds[step.cloud];
                store.afterWrites(step.afterWrites, () => {
                  store.down = true;
                });
                // While one cloud is down, the other two still sync with each other.
                await deliver(clouds[step.cloud], take(step.cloud, 2));
                store.down = true;
                for (const o of ORIGINS) if (o !== step.cloud) await syncPass(clouds, o);
                store.clearFaults();
              }
            }
            // Mirror's "some behind" ends here: every cloud catches up, then all sync.
            for (const o of ORIGINS) await deliver(clouds[o], take(o, Number.MAX_SAFE_INTEGER));
            await syncUntilStable(clouds);
            const aws = contentOf(clouds.aws.store, true);
            expect(contentOf(clouds.gcp.store, true)).toEqual(aws);
            expect(contentOf(clouds.azure.store, true)).toEqual(aws);
            expectExact(exportStore(clouds.aws.store), referenceWindows(records, WINDOWS));
            for (const doc of clouds.aws.store.docs.values()) expect(doc.merged.exact).toBe(true);
          },
        ),
        { numRuns: Number(process.env.FC_RUNS ?? 80) },
      );
    },
  );

  it('records sent to random clouds: the stores converge, never double-count, and say when they are inexact', async () => {
    await fc.assert(
      fc.asyncProperty(
        arbRecords,
        fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 40 }),
        async (records, masks) => {
          // Each record goes to a random non-empty subset of clouds (bit i: ORIGINS[i]), so parts overlap partially.
          const clouds = makeClouds();
          const routed: Record<Origin, DataRecord[]> = { aws: [], gcp: [], azure: [] };
          records.forEach((r, i) => {
            const mask = masks[i % masks.length]!;
            ORIGINS.forEach((o, bit) => {
              if (mask & (1 << bit)) routed[o].push(r);
            });
          });
          for (const o of ORIGINS) await deliver(clouds[o], messagesOf(routed[o], 5, `${o}-`));
          await syncUntilStable(clouds);
          const aws = contentOf(clouds.aws.store, true);
          expect(contentOf(clouds.gcp.store, true)).toEqual(aws);
          expect(contentOf(clouds.azure.store, true)).toEqual(aws);
          const reference = new Map(
            referenceWindows(records, WINDOWS).map((w) => [`${w.series}|${w.window}|${w.start}`, w]),
          );
          for (const doc of clouds.aws.store.docs.values()) {
            if (doc.kind === 'slice') {
              // Inexact: at least the slice's largest part.
              const largestPart = Math.max(...Object.values(doc.parts).map((p) => p.aggregate.count));
              expect(doc.merged.aggregate.count).toBeGreaterThanOrEqual(largestPart);
              continue;
            }
            const distinct = reference.get(doc.id)!.count;
            if (doc.merged.exact) expect(doc.merged.aggregate.count).toBe(distinct);
            // Never a sum that counts a record twice.
            expect(doc.merged.aggregate.count).toBeLessThanOrEqual(distinct);
          }
        },
      ),
      RUNS,
    );
  });

  it('mirror with one cloud behind: the others already agree and are exact after sync', async () => {
    await fc.assert(
      fc.asyncProperty(arbRecords, fc.nat(), async (records, cut) => {
        const clouds = makeClouds();
        const behind = records.slice(0, records.length ? cut % (records.length + 1) : 0);
        await deliver(clouds.aws, messagesOf(records, 4));
        await deliver(clouds.gcp, messagesOf(records, 9));
        await deliver(clouds.azure, messagesOf(behind, 2));
        await syncUntilStable(clouds);
        expect(contentOf(clouds.azure.store, true)).toEqual(contentOf(clouds.aws.store, true));
        expectExact(exportStore(clouds.azure.store), referenceWindows(records, WINDOWS));
      }),
      RUNS,
    );
  });
});

describe('invariant 5: nothing lost', () => {
  const arbInvalidRow = fc.constantFrom<unknown>(
    ['BTC/USD', 1, 1_700_000_000_000, 1, 1],
    ['BTC', -1, 1_700_000_000_000, 1, 1],
    ['BTC', 1.5, 1_700_000_000_000, 1, 1],
    ['BTC', 1, 9e15, 1, 1],
    ['BTC', 1, 1_700_000_000_000, 'x', 1],
    ['BTC', 1, 1_700_000_000_000, 1, -2],
    { series: 'BTC' },
    null,
  );

  it('every valid record ends in exactly one part of its cloud; every invalid one in its dead letters, with a reason', async () => {
    await fc.assert(
      fc.asyncProperty(
        arbRecords,
        fc.array(fc.tuple(fc.nat(), arbInvalidRow), { maxLength: 10 }),
        arbFaults,
        async (records, invalid, faults) => {
          const { azure } = makeClouds();
          const messages = messagesOf(records, 6);
          // Splice invalid rows into the valid messages, so good and bad records travel together.
          const bodies = messages.map(
            (m) => JSON.parse(m.body as string) as { v: number; b: string; r: unknown[] },
          );
          if (bodies.length === 0) bodies.push({ v: 1, b: 'only-bad', r: [] });
          for (const [at, row] of invalid) bodies[at % bodies.length]!.r.push(row);
          const mixed = bodies.map((body, i) => ({ id: `m${i}`, body: JSON.stringify(body) }));
          applyFaults(azure, faults);
          await deliver(azure, [...mixed, { id: 'garbage', body: '{"v":1,"b":"x","r":' }]);

          const counted = new Map<string, number>();
          for (const doc of azure.store.docs.values()) {
            if (doc.kind !== 'slice' || doc.window !== '1m') continue;
            const part = doc.parts.azure!;
            for (let i = 0; i < part.seqs.length; i += 2) {
              for (let s = part.seqs[i]!; s <= part.seqs[i + 1]!; s++) {
                const k = `${doc.series}#${s}`;
                counted.set(k, (counted.get(k) ?? 0) + 1);
              }
            }
          }
          expect([...counted.values()].every((n) => n === 1)).toBe(true);
          expect(new Set(counted.keys())).toEqual(new Set(records.map((r) => `${r.series}#${r.seq}`)));

          const letters = [...azure.store.deadLetters.values()];
          expect(letters).toHaveLength(invalid.length + 1);
          for (const letter of letters) expect(letter.reason.length).toBeGreaterThan(10);
          expect(azure.store.deadLetters.get('garbage')?.payload).toBe('{"v":1,"b":"x","r":');
        },
      ),
      RUNS,
    );
  });

  it('a store that is down fails the messages, and redelivery after it returns loses nothing', async () => {
    const { aws } = makeClouds();
    aws.store.down = true;
    const records = Array.from({ length: 30 }, (_, i) => ({
      series: 'S',
      seq: i,
      ts: 1_700_000_000_000 + i * 5_000,
      value: i,
      qty: 1,
    }));
    const messages = messagesOf(records, 10);
    const first = await aws.ingest(messages);
    expect(first.failedMessageIds).toEqual(['m0', 'm1', 'm2']);
    expect(first.report.firstError).toContain(UnavailableError.name);
    aws.store.down = false;
    await deliver(
      aws,
      messages.filter((m) => first.failedMessageIds.includes(m.id)),
    );
    expectExact(exportStore(aws.store), referenceWindows(records, WINDOWS));
  });
});
