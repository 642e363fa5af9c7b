/** Three in-memory clouds wired to the core's use cases, for pure tests of the invariants. */

import { seededRandom } from '../../scripts/dev/seeded-random.ts';
import {
  createIngest,
  type ExportedWindow,
  type InboundMessage,
  type Ingest,
  ORIGINS,
  type Origin,
  parseWindows,
  type SliceDocument,
  syncInto,
  type WindowSpec,
} from '../../shared/core/index.ts';
import { MemoryStore, SteppingClock } from '../../shared/core/testing/index.ts';
import { exportedWindows, sortWindows } from './records.ts';

export const WINDOWS: WindowSpec[] = parseWindows('1m,5m');

export interface Cloud {
  origin: Origin;
  store: MemoryStore;
  ingest: Ingest;
  /** One clock for every writer of every cloud, as synchronised wall clocks are; sync relies on it (DESIGN §5). */
  clock: SteppingClock;
}

export function makeClouds(windows: readonly WindowSpec[] = WINDOWS, seed = 1): Record<Origin, Cloud> {
  const clock = new SteppingClock();
  const random = seeded(seed);
  const entries = ORIGINS.map((origin) => {
    const store = new MemoryStore();
    const ingest = createIngest(
      { store, deadLetters: store, clock, random },
      { origin, windows, concurrency: 4, maxAttempts: 50, backoff: { baseMs: 1, maxMs: 50 } },
    );
    return [origin, { origin, store, ingest, clock }] as const;
  });
  return Object.fromEntries(entries) as Record<Origin, Cloud>;
}

/** Delivers messages as a platform does: redelivers only the failed ones, until none fail. */
export async function deliver(
  cloud: Cloud,
  messages: readonly InboundMessage[],
  maxRounds = 100,
): Promise<number> {
  let pending = [...messages];
  let rounds = 0;
  while (pending.length > 0) {
    if (++rounds > maxRounds) throw new Error(`messages still failing after ${maxRounds} deliveries`);
    const { failedMessageIds } = await cloud.ingest(pending);
    const failed = new Set(failedMessageIds);
    pending = pending.filter((m) => failed.has(m.id));
    // A cloud that failed mid-batch comes back before the redelivery, as the platform retries later.
    cloud.store.down = false;
  }
  return rounds;
}

/** One sync pass into `into` from the other two clouds. */
export function syncPass(clouds: Record<Origin, Cloud>, into: Origin) {
  return syncInto(
    {
      target: clouds[into].store,
      sources: ORIGINS.filter((o) => o !== into).map((o) => ({ origin: o, store: clouds[o].store })),
      clock: clouds[into].clock,
      random: seeded(7),
    },
    // The overlap must cover the time between a write taking its updatedAt and committing (DESIGN §5); on this
    // stepping clock every clock read is a tick, and a racing write may be hundreds of ticks in flight.
    { pageSize: 7, overlapMs: 1_000, maxAttempts: 50, backoff: { baseMs: 1, maxMs: 50 } },
  );
}

/** Sync rounds on every cloud until a whole round writes nothing. */
export async function syncUntilStable(clouds: Record<Origin, Cloud>, maxRounds = 10): Promise<number> {
  for (let round = 1; round <= maxRounds; round++) {
    let written = 0;
    for (const into of ORIGINS) {
      const report = await syncPass(clouds, into);
      for (const s of report.sources) {
        if (s.error) throw new Error(`sync into ${into} from ${s.source} failed: ${s.error}`);
        written += s.written;
      }
    }
    if (written === 0) return round;
  }
  throw new Error(`sync did not settle in ${maxRounds} rounds`);
}

export function exportStore(store: MemoryStore): ExportedWindow[] {
  return sortWindows(exportedWindows(store.docs.values()));
}

/**
 * What must be identical across stores: slices' parts and merged views, windows' merged views, never clocks or
 * document revisions. Part revisions count one origin's writes, so they are compared only where the same writes
 * happened (after sync).
 */
export function contentOf(store: MemoryStore, withPartRevisions = false) {
  const docs = [...store.docs.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
  const windows = docs.flatMap((d) => (d.kind === 'window' ? [{ id: d.id, merged: d.merged }] : []));
  const slices = docs
    .filter((d): d is SliceDocument => d.kind === 'slice')
    .map((d) => ({
      id: d.id,
      merged: d.merged,
      parts: Object.fromEntries(
        Object.entries(d.parts).map(([o, p]) => [
          o,
          withPartRevisions ? p : { aggregate: p.aggregate, seqs: p.seqs },
        ]),
      ),
    }));
  return { windows, slices };
}

/** A small deterministic PRNG, so retries' jitter is reproducible in tests. */
export const seeded = seededRandom;
