/**
 * One cloud's lane (`producers/cloud-lane.ts`) over a real spool, with a publisher whose every call waits for the
 * test to answer it, on a {@link ManualClock}: health after each kind of failure, the retry schedule to the
 * millisecond, and which messages it offers to failover.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CloudLane, type LaneOptions, type OnDown } from '../../producers/cloud-lane.ts';
import type { Publisher } from '../../producers/publishers.ts';
import { Spool, type SpoolEntry } from '../../producers/spool.ts';
import { ManualClock } from '../../shared/core/testing/index.ts';
import { eventually } from '../helpers/eventually.ts';

interface Call {
  bodies: string[];
  signal: AbortSignal | undefined;
  accept(): void;
  fail(error: Error): void;
}

/** A publisher whose calls wait for the test: `call(n)` resolves to the n-th call (1-based) once it is made. */
function answeredByTest() {
  const calls: Call[] = [];
  const publisher: Publisher = {
    cloud: 'aws',
    publish: (messages, signal) =>
      new Promise<void>((accept, fail) => {
        calls.push({ bodies: messages.map((m) => m.body), signal, accept, fail });
      }),
    close: async () => {},
  };
  const call = (n: number) =>
    eventually(
      async () => calls[n - 1],
      (c) => c !== undefined,
      { what: `publish call ${n}`, intervalMs: 1 },
    ).then((c) => c!);
  return { publisher, calls, call };
}

async function openLane(options: LaneOptions = {}, onDown?: OnDown) {
  const { spool } = await Spool.open(await mkdtemp(path.join(tmpdir(), 'lane-')));
  const clock = new ManualClock();
  const { publisher, calls, call } = answeredByTest();
  const messages = (n: number, from = 0) =>
    spool.commit(
      Array.from({ length: n }, (_, i) => ({
        cloud: 'aws' as const,
        key: `S${from + i}`,
        records: 2,
        body: `m${from + i}`,
      })),
      { rejectsBytes: 0 },
    );
  const subject = new CloudLane('aws', {
    spool,
    publisher: () => publisher,
    clock,
    options: { batchMessages: 10, retryInitialMs: 100, retryMaxMs: 400, ...options },
    ...(onDown === undefined ? {} : { onDown }),
  });
  /** Waits until the lane sleeps its backoff (the only wait under a second), and returns how long it is. */
  const backoff = async () => {
    const ms = await eventually(
      async () => clock.untilNext,
      (next) => next !== undefined && next < 1_000,
      {
        what: 'the lane to back off',
        intervalMs: 1,
      },
    );
    return ms!;
  };
  return { lane: subject, spool, clock, calls, call, messages, backoff };
}

const refused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
const reset = () => Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });

describe('CloudLane', () => {
  it('retries after a doubling backoff, capped, and starts over once a publish is accepted', async () => {
    const { lane, clock, call, messages, backoff } = await openLane();
    lane.enqueue(await messages(1));
    const waits: number[] = [];
    for (let n = 1; n <= 4; n++) {
      (await call(n)).fail(reset());
      const ms = await backoff();
      waits.push(ms);
      clock.advance(ms);
    }
    (await call(5)).accept();
    await lane.idle();
    lane.enqueue(await messages(1, 1));
    (await call(6)).fail(reset());
    waits.push(await backoff());
    expect(waits).toEqual([100, 200, 400, 400, 100]);
    await lane.stop(0);
  });

  it('counts a cloud down at once on a definite failure, and up again when a publish is accepted', async () => {
    const { lane, clock, call, messages, backoff } = await openLane();
    lane.enqueue(await messages(1));
    (await call(1)).fail(refused());
    clock.advance(await backoff());
    expect(lane.stats).toMatchObject({
      healthy: false,
      failures: 1,
      lastError: 'connect ECONNREFUSED 127.0.0.1:1',
    });
    (await call(2)).accept();
    await lane.idle();
    expect(lane.stats).toMatchObject({ healthy: true, failures: 1, records: 2, messages: 1, spooled: 0 });
    await lane.stop(0);
  });

  it('counts a cloud down after three ambiguous failures in a row, not fewer', async () => {
    const { lane, clock, call, messages, backoff } = await openLane();
    lane.enqueue(await messages(1));
    const health: boolean[] = [];
    for (let n = 1; n <= 3; n++) {
      (await call(n)).fail(reset());
      clock.advance(await backoff());
      health.push(lane.stats.healthy);
    }
    expect(health).toEqual([true, true, false]);
    (await call(4)).accept();
    await lane.idle();
    expect(lane.stats.healthy).toBe(true);
    await lane.stop(0);
  });

  it('gives up on a publish left unanswered past its timeout: aborts it, counts the cloud down, sends it again', async () => {
    const { lane, clock, call, messages, backoff } = await openLane({ publishTimeoutMs: 5_000 });
    lane.enqueue(await messages(3));
    const first = await call(1);
    clock.advance(4_999);
    expect(first.signal?.aborted).toBe(false);
    clock.advance(1);
    clock.advance(await backoff());
    expect(first.signal?.aborted).toBe(true);
    expect(lane.stats).toMatchObject({
      healthy: false,
      lastError: 'the transport did not answer within 5 s',
    });
    const second = await call(2);
    expect(second.bodies).toEqual(first.bodies);
    second.accept();
    await lane.idle();
    expect(lane.stats).toMatchObject({ healthy: true, records: 6 });
    await lane.stop(0);
  });

  it('offers failover only the messages it never handed to the publisher, and keeps the attempted ones', async () => {
    const offered: SpoolEntry[] = [];
    const { lane, call, messages, backoff } = await openLane({ batchMessages: 2 }, async (down) => {
      offered.push(...down.takeUnattempted());
    });
    const [a, b, c, d] = await messages(4);
    // A message an earlier run spooled may have arrived: it counts as attempted.
    const replayed = { ...(await messages(1, 4))[0]!, replayed: true };
    lane.enqueue([a!, b!]);
    const first = await call(1);
    lane.enqueue([c!, d!, replayed]);
    first.fail(refused());
    await backoff();
    expect(offered.map((e) => e.key)).toEqual(['S2', 'S3']);
    expect(lane.pendingEntries().map((e) => e.key)).toEqual(['S0', 'S1', 'S4']);
    expect(lane.stats).toMatchObject({ healthy: false, spooled: 6 });
    await lane.stop(0);
  });

  it('keeps bodies beyond its memory in the spool only, and reads them back to send them', async () => {
    const { lane, call, messages } = await openLane({ memoryBytes: 4 });
    const entries = await messages(3);
    lane.enqueue(entries);
    expect(entries.map((e) => e.body)).toEqual(['m0', 'm1', undefined]);
    expect(lane.memoryBytes).toBe(4);
    const first = await call(1);
    expect(first.bodies).toEqual(['m0', 'm1', 'm2']);
    first.accept();
    await lane.idle();
    expect(lane.memoryBytes).toBe(0);
    await lane.stop(0);
  });

  it('stops during a backoff at once, without waiting for the clock', async () => {
    const { lane, call, messages, backoff } = await openLane();
    lane.enqueue(await messages(1));
    (await call(1)).fail(refused());
    await backoff();
    await lane.stop(60_000);
    await lane.done;
    expect(lane.pending).toBe(1);
  });
});
