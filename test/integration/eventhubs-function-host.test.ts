/**
 * The local Event Hubs trigger host as the Functions host behaves: it binds bodies as the Azure function's trigger
 * does (`dataType: 'binary'`) — each event's bytes, as sent, reach the Azure handler and through it the core, no
 * JSON parse and re-serialise on the way, which turned `1e999` into `null` and dropped a byte-order mark — and it
 * retries a failed invocation by the function's declared retry policy before it checkpoints. Runs its own Event
 * Hubs server.
 */
import type { EventHubProducerClient } from '@azure/event-hubs';
import type { InvocationContext } from '@azure/functions';
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { eventHubsIngest } from '../../functions/azure/ingest.ts';
import { INGEST_RETRY } from '../../functions/azure/ingest-trigger.ts';
import { ingestRuntime } from '../../functions/ingest-runtime.ts';
import { type RunningEventHubsServer, startEventHubsServer } from '../../scripts/event-hubs-server/index.ts';
import { waitUntil } from '../../scripts/machine/wait-until.ts';
import {
  type EventHubsFunctionHostOptions,
  startEventHubsFunctionHost,
} from '../../scripts/trigger-hosts/eventhubs-function-host.ts';
import type { TriggerHost } from '../../scripts/trigger-hosts/host-loop.ts';
import { createEventHubProducer } from '../../shared/clouds/azure/event-hubs-clients.ts';
import type { InboundMessage, IngestResult } from '../../shared/core/index.ts';
import { MemoryStore } from '../../shared/core/testing/index.ts';

const utf8 = (text: string) => new TextEncoder().encode(text);
const row = (value: string) => `{"v":1,"b":"bytes-run","r":[["BTCUSDT",1,1700000000000,${value},1]]}`;

/** The bodies the issue names, and two that only bytes can carry. */
const sent = {
  infinite: utf8(row('1e999')),
  withBom: Uint8Array.from([0xef, 0xbb, 0xbf, ...utf8(row('37000.5'))]),
  notUtf8: Uint8Array.from([0x7b, 0xff, 0xfe, 0x00, 0x7d]),
  empty: new Uint8Array(0),
};

let server: RunningEventHubsServer;
let hubCount = 0;
const running: { host?: TriggerHost; producer?: EventHubProducerClient } = {};

beforeAll(async () => {
  server = await startEventHubsServer({
    hubs: [1, 2, 3, 4, 5].map((n) => ({ name: `host-${n}`, partitions: 1, consumerGroups: [] })),
  });
  return () => server.close();
});

afterEach(async () => {
  await running.host?.stop();
  await running.producer?.close();
  running.host = undefined;
  running.producer = undefined;
});

/** Sends the bodies to a fresh hub and runs the host on it with `handler` (and any other options). */
async function hostOnFreshHub(
  handler: EventHubsFunctionHostOptions['handler'],
  options: Partial<EventHubsFunctionHostOptions> = {},
): Promise<TriggerHost> {
  const hub = `host-${++hubCount}`;
  const connectionString = server.connectionString(hub);
  running.producer = createEventHubProducer({
    eventHubConnectionString: connectionString,
    eventHubName: hub,
  });
  await running.producer.sendBatch(
    Object.values(sent).map((body) => ({ body })),
    { partitionId: '0' },
  );
  running.host = startEventHubsFunctionHost({
    connectionString,
    eventHubName: hub,
    consumerGroup: '$default',
    handler,
    ...options,
  });
  return running.host;
}

async function until(done: () => boolean, what: string, host: TriggerHost): Promise<void> {
  await waitUntil(async () => (done() ? true : undefined), {
    description: what,
    timeoutMs: 15_000,
    intervalMs: 20,
    lastSeen: () => JSON.stringify(host.stats),
  });
}

/** Runs the host with `ingest` behind the Azure handler until `done`. */
async function deliver(ingest: ReturnType<typeof ingestRuntime>, done: () => boolean): Promise<void> {
  const host = await hostOnFreshHub(eventHubsIngest(ingest));
  await until(done, 'the events to reach the core', host);
}

/** A handler that fails its first `failures` invocations, and records what each invocation was given. */
function failingAtFirst(failures: number) {
  const invocations: { sequenceNumbers: number[]; retryCount?: number; maxRetryCount?: number }[] = [];
  const handler = async (_events: unknown[], context: InvocationContext) => {
    invocations.push({
      sequenceNumbers: context.triggerMetadata?.sequenceNumberArray as number[],
      retryCount: context.retryContext?.retryCount,
      maxRetryCount: context.retryContext?.maxRetryCount,
    });
    if (invocations.length <= failures) throw new Error(`failure ${invocations.length}`);
  };
  return { handler, invocations };
}

/** Records each wait the host asks for and lets it pass at once, so a policy of minutes runs in milliseconds. */
function recordedWaits() {
  const waits: number[] = [];
  return { waits, wait: async (ms: number) => void waits.push(ms) };
}

describe('the local Event Hubs trigger host', () => {
  test('hands the core every body as the bytes that were sent', async () => {
    const received: InboundMessage[] = [];
    const capture = async (messages: readonly InboundMessage[]) => {
      received.push(...messages);
      return { failedMessageIds: [] } as unknown as IngestResult;
    };

    await deliver(capture, () => received.length >= 4);

    expect(received.map((m) => m.id)).toEqual(['0:0', '0:1', '0:2', '0:3']);
    for (const message of received) expect(message.body).toBeInstanceOf(Uint8Array);
    expect(received.map((m) => [...(m.body as Uint8Array)])).toEqual(
      Object.values(sent).map((bytes) => [...bytes]),
    );
  });

  test('gives the core the value that was sent: 1e999 is refused as Infinity, the BOM body is stored', async () => {
    const store = new MemoryStore();
    const deadLetters = new MemoryStore();
    const ingest = ingestRuntime('azure', () => ({ store, deadLetters }), {
      onPermanentFailure: 'dead-letter',
    });

    await deliver(ingest, () => deadLetters.deadLetters.size >= 3 && store.docs.size > 0);

    const letters = [...deadLetters.deadLetters.values()];
    const infinite = letters.find((letter) => letter.messageId === '0:0');
    expect(infinite?.reason).toMatch(/Infinity/);
    expect(infinite?.reason).not.toMatch(/got null/);
    expect(letters.map((letter) => letter.messageId)).not.toContain('0:1');
  });
});

describe('the local Event Hubs trigger host retries as the function declares', () => {
  test('by default the ingest function’s policy: without end, 1 s doubling to 60 s, then a checkpoint', async () => {
    const failures = 8;
    const { handler, invocations } = failingAtFirst(failures);
    const { waits, wait } = recordedWaits();

    const host = await hostOnFreshHub(handler, { wait });
    await until(() => host.stats.messages >= 4, 'the batch to succeed after its failures', host);

    // More failures than any bounded default would allow, and every one retried with the same batch.
    expect(invocations).toHaveLength(failures + 1);
    expect(new Set(invocations.map((i) => JSON.stringify(i.sequenceNumbers)))).toEqual(
      new Set(['[0,1,2,3]']),
    );
    expect(invocations.map((i) => i.retryCount)).toEqual([...Array(failures + 1).keys()]);
    expect(new Set(invocations.map((i) => i.maxRetryCount))).toEqual(new Set([INGEST_RETRY.maxRetryCount]));
    expect(waits).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000]);
    expect(host.stats).toMatchObject({ messages: 4, failedMessages: 0, errors: failures });

    // Checkpointed after the success: the next event arrives alone, the batch is not delivered again.
    await running.producer!.sendBatch([{ body: utf8('after') }], { partitionId: '0' });
    await until(() => invocations.length > failures + 1, 'the next event', host);
    expect(invocations.slice(failures + 1).map((i) => i.sequenceNumbers)).toEqual([[4]]);
  });

  test('a bounded policy runs out: the batch is counted as failed and checkpointed, and the next one goes on', async () => {
    const { handler, invocations } = failingAtFirst(3);
    const { waits, wait } = recordedWaits();

    const host = await hostOnFreshHub(handler, {
      wait,
      retry: { strategy: 'fixedDelay', maxRetryCount: 2, delayInterval: { seconds: 5 } },
    });
    await until(() => host.stats.failedMessages >= 4, 'the retries to run out', host);
    await running.producer!.sendBatch([{ body: utf8('after') }], { partitionId: '0' });
    await until(() => host.stats.messages >= 5, 'the next event', host);

    expect(invocations.map((i) => [i.sequenceNumbers, i.retryCount, i.maxRetryCount])).toEqual([
      [[0, 1, 2, 3], 0, 2],
      [[0, 1, 2, 3], 1, 2],
      [[0, 1, 2, 3], 2, 2],
      [[4], 0, 2],
    ]);
    expect(waits).toEqual([5_000, 5_000]);
    expect(host.stats).toMatchObject({ failedMessages: 4, messages: 5 });
  });

  test('stopping ends a retry wait at once and invokes nothing more', async () => {
    const { handler, invocations } = failingAtFirst(Number.POSITIVE_INFINITY);
    let waiting = false;
    // A wait that only the host's stop can end: stop() hangs (and the test times out) unless it aborts it.
    const wait = (_ms: number, signal: AbortSignal) =>
      new Promise<void>((resolve) => {
        waiting = true;
        signal.addEventListener('abort', () => resolve(), { once: true });
      });

    const host = await hostOnFreshHub(handler, { wait });
    await until(() => waiting, 'the first retry wait', host);
    await host.stop();
    running.host = undefined;

    expect(invocations).toHaveLength(1);
    expect(host.stats).toMatchObject({ invocations: 1, messages: 0, failedMessages: 0 });
  });
});
