/**
 * The local Event Hubs trigger host binds bodies as the Azure function's trigger does (`dataType: 'binary'`): each
 * event's bytes, as sent, reach the Azure handler and through it the core — no JSON parse and re-serialise on the
 * way, which turned `1e999` into `null` and dropped a byte-order mark. Runs its own Event Hubs server.
 */
import { EventHubProducerClient } from '@azure/event-hubs';
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { eventHubsIngest } from '../../functions/azure/ingest.ts';
import { ingestRuntime } from '../../functions/ingest-runtime.ts';
import { type RunningEventHubsServer, startEventHubsServer } from '../../scripts/event-hubs-server/index.ts';
import { waitUntil } from '../../scripts/machine/wait-until.ts';
import { startEventHubsFunctionHost } from '../../scripts/trigger-hosts/eventhubs-function-host.ts';
import type { TriggerHost } from '../../scripts/trigger-hosts/host-loop.ts';
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
    hubs: [1, 2].map((n) => ({ name: `bytes-${n}`, partitions: 1, consumerGroups: [] })),
  });
  return () => server.close();
});

afterEach(async () => {
  await running.host?.stop();
  await running.producer?.close();
});

/** Sends the bodies to a fresh hub and runs the host with `ingest` behind the Azure handler until `done`. */
async function deliver(ingest: ReturnType<typeof ingestRuntime>, done: () => boolean): Promise<void> {
  const hub = `bytes-${++hubCount}`;
  running.producer = new EventHubProducerClient(server.connectionString(hub));
  await running.producer.sendBatch(
    Object.values(sent).map((body) => ({ body })),
    { partitionId: '0' },
  );
  running.host = startEventHubsFunctionHost({
    connectionString: server.connectionString(hub),
    eventHubName: hub,
    consumerGroup: '$default',
    handler: eventHubsIngest(ingest),
  });
  const host = running.host;
  await waitUntil(async () => (done() ? true : undefined), {
    description: 'the events to reach the core',
    timeoutMs: 15_000,
    intervalMs: 20,
    lastSeen: () => JSON.stringify(host.stats),
  });
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
