/**
 * The summary tree under concurrency and crashes (`summary-refresh.ts`): refreshes of one window race, split the
 * same summaries, lose conditional writes and stop half-way, and the tree still ends holding every slice's view.
 */
import { describe, expect, it } from 'vitest';
import {
  createIngest,
  type DataRecord,
  FANOUT,
  parseWindows,
  UnavailableError,
} from '../../shared/core/index.ts';
import { MemoryStore, SteppingClock } from '../../shared/core/testing/index.ts';
import { exportStore, seeded } from '../helpers/clouds.ts';
import { expectExact, messagesOf, referenceWindows, T0 } from '../helpers/records.ts';
import { summaryTreeProblems } from '../helpers/summary-tree.ts';

const specs = parseWindows('1m');

/** Ids each in a slice of its own, scattered: every batch reaches many summaries at once. */
function scattered(n: number, from = 0): DataRecord[] {
  return Array.from({ length: n }, (_, k) => {
    const i = from + k;
    return {
      series: 'S',
      seq: Number((BigInt(i + 1) * 0x9e3779b97f4a7c15n) % 2n ** 53n),
      ts: T0 + i,
      value: 50 + (i % 11),
      qty: 1,
    };
  });
}

function ingestInto(store: MemoryStore, seed: number) {
  return createIngest(
    { store, deadLetters: store, clock: new SteppingClock(T0, 1), random: seeded(seed) },
    { origin: 'aws', windows: specs, maxAttempts: 50, backoff: { baseMs: 1, maxMs: 4 } },
  );
}

describe('summary refresh', () => {
  it('ends with every slice summarized when invocations race to split the same window', async () => {
    const store = new MemoryStore();
    const records = scattered(3_000);
    const invocations = [0, 1, 2, 3].map((k) =>
      messagesOf(
        records.filter((_, i) => i % 4 === k),
        100,
        `m${k}-`,
      ),
    );
    store.injectConflicts(200);
    const results = await Promise.all(invocations.map((messages, k) => ingestInto(store, k)(messages)));
    expect(results.flatMap((r) => r.failedMessageIds)).toEqual([]);
    expect(store.counters.conflicts).toBeGreaterThan(0);
    expect(store.count('node')).toBeGreaterThan(FANOUT);
    expect(summaryTreeProblems(store.docs)).toEqual([]);
    expectExact(exportStore(store), referenceWindows(records, specs));
  });

  it('repairs a tree left half-written by a crash when the message comes back', async () => {
    const store = new MemoryStore();
    const first = scattered(400);
    await ingestInto(store, 1)(messagesOf(first, 400, 'a'));
    const more = scattered(400, 400);
    const messages = messagesOf(more, 400, 'b');
    // The store goes down part-way through the summaries' writes, after the slices are in.
    store.afterWrites(405, () => {
      store.down = true;
    });
    const crashed = await ingestInto(store, 2)(messages);
    expect(crashed.failedMessageIds).toEqual(['b0']);
    store.clearFaults();
    expect(summaryTreeProblems(store.docs)).not.toEqual([]);
    const redelivered = await ingestInto(store, 3)(messages);
    expect(redelivered.failedMessageIds).toEqual([]);
    expect(summaryTreeProblems(store.docs)).toEqual([]);
    expectExact(exportStore(store), referenceWindows([...first, ...more], specs));
  });

  it('reports a store refusing a summary node as that window failing, not as lost records', async () => {
    const store = new MemoryStore();
    await ingestInto(store, 1)(messagesOf(scattered(100), 100, 'a'));
    const node = [...store.docs.values()].find((d) => d.kind === 'node')!;
    store.refused.set(node.id, new UnavailableError('the node is unreachable'));
    const { failedMessageIds } = await ingestInto(store, 2)(messagesOf(scattered(100, 100), 100, 'b'));
    expect(failedMessageIds).toEqual(['b0']);
  });
});
