/**
 * Pub/Sub conformance: publish, pull, ack, nack redelivery and dead-lettering after the maximum delivery attempts,
 * through the official SDK (Google's emulator by default), which is what the Cloud Function's delivery relies on.
 * Each test publishes to a topic and subscription of its own, so it never takes another suite's messages.
 */
import type { Message, PubSub, Subscription, Topic } from '@google-cloud/pubsub';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadManifest } from '../../scripts/local-stack/manifest.ts';
import { waitUntil } from '../../scripts/machine/wait-until.ts';
import { gcpSettings, pubsubClient, uniqueName } from '../setup/cloud-clients.ts';

let pubsub: PubSub;
const cleanups: Array<() => Promise<unknown>> = [];

beforeAll(() => {
  pubsub = pubsubClient();
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
});

afterAll(async () => {
  await pubsub.close();
});

async function topic(prefix: string): Promise<Topic> {
  const [created] = await pubsub.createTopic(uniqueName(prefix));
  cleanups.push(() => created.delete());
  return created;
}

async function subscription(
  on: Topic,
  options: Parameters<Topic['createSubscription']>[1] = {},
): Promise<Subscription> {
  const [created] = await on.createSubscription(uniqueName('sub'), options);
  cleanups.push(async () => {
    await created.close();
    await created.delete();
  });
  return created;
}

/** Streams messages into `received`, handing each to `handle` to ack or nack. */
function listen(sub: Subscription, handle: (message: Message) => void): Message[] {
  const received: Message[] = [];
  sub.on('message', (message: Message) => {
    received.push(message);
    handle(message);
  });
  sub.on('error', () => {});
  return received;
}

describe('the provisioned subscription', () => {
  it('dead-letters to the dead-letter topic after the manifest’s delivery attempts', async () => {
    const manifest = await loadManifest();
    const gcp = gcpSettings();

    const [metadata] = await pubsub.subscription(gcp.subscription).getMetadata();

    expect(metadata.topic).toBe(pubsub.topic(gcp.topic).name);
    expect(metadata.deadLetterPolicy?.deadLetterTopic).toBe(pubsub.topic(gcp.deadLetterTopic).name);
    expect(metadata.deadLetterPolicy?.maxDeliveryAttempts).toBe(manifest.gcp.maxDeliveryAttempts);
    const [inspect] = await pubsub.subscription(gcp.deadLetterSubscription).getMetadata();
    expect(inspect.topic).toBe(pubsub.topic(gcp.deadLetterTopic).name);
  });
});

describe('delivery', () => {
  it('delivers a published message with its data and attributes, and not again once acked', async () => {
    const records = await topic('conformance');
    const sub = await subscription(records);
    const received = listen(sub, (m) => m.ack());

    await records.publishMessage({ data: Buffer.from('{"v":1}'), attributes: { batch: 'b1' } });
    await waitUntil(async () => (received.length > 0 ? true : undefined), {
      description: 'the message to arrive',
      timeoutMs: 30_000,
    });
    // A second message acts as a fence: once it has arrived, a redelivery of the first would have too.
    await records.publishMessage({ data: Buffer.from('fence') });
    await waitUntil(async () => (received.some((m) => m.data.toString() === 'fence') ? true : undefined), {
      description: 'the fence message',
      timeoutMs: 30_000,
    });

    expect(received[0]?.data.toString()).toBe('{"v":1}');
    expect(received[0]?.attributes).toEqual({ batch: 'b1' });
    expect(received.filter((m) => m.data.toString() === '{"v":1}')).toHaveLength(1);
  });

  it('redelivers a nacked message', async () => {
    const records = await topic('conformance');
    const sub = await subscription(records);
    let nacked = false;
    const received = listen(sub, (m) => {
      if (nacked) m.ack();
      else {
        nacked = true;
        m.nack();
      }
    });

    await records.publishMessage({ data: Buffer.from('retry me') });
    await waitUntil(async () => (received.length >= 2 ? true : undefined), {
      description: 'the nacked message to come back',
      timeoutMs: 30_000,
    });

    expect(received[1]?.id).toBe(received[0]?.id);
    expect(received[1]?.data.toString()).toBe('retry me');
  });

  it('counts delivery attempts and moves the message to the dead-letter topic after the maximum', async () => {
    const maxDeliveryAttempts = 5;
    const records = await topic('conformance');
    const deadLetters = await topic('conformance-dlq');
    const inspect = await subscription(deadLetters);
    const sub = await subscription(records, {
      deadLetterPolicy: { deadLetterTopic: deadLetters.name, maxDeliveryAttempts },
    });
    const attempts = listen(sub, (m) => m.nack());
    const deadLettered = listen(inspect, (m) => m.ack());

    await records.publishMessage({ data: Buffer.from('poison') });
    await waitUntil(async () => (deadLettered.length > 0 ? true : undefined), {
      description: 'the message on the dead-letter topic',
      timeoutMs: 60_000,
    });

    // Real Pub/Sub counts attempts approximately (best effort); the emulator counts exactly 1..5.
    const counted = attempts.map((m) => m.deliveryAttempt);
    expect(counted.length).toBeGreaterThanOrEqual(maxDeliveryAttempts);
    expect(counted[0]).toBe(1);
    expect(counted.every((n, i) => i === 0 || n > (counted[i - 1] ?? 0))).toBe(true);
    expect(deadLettered[0]?.data.toString()).toBe('poison');
    expect(deadLettered[0]?.attributes).toMatchObject({
      CloudPubSubDeadLetterSourceDeliveryCount: String(maxDeliveryAttempts),
      CloudPubSubDeadLetterSourceSubscription: sub.name.split('/').at(-1),
    });
  });
});
