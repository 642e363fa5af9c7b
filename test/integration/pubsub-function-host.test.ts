/**
 * The local Pub/Sub trigger host enforces what the emulator does not: Pub/Sub's 10 MB limit on a message's data.
 * The emulator takes a larger message; the cloud would have refused its publish, so the host acks it without an
 * invocation and says why. A message at the limit is still delivered.
 */
import type { CloudEvent } from '@google-cloud/functions-framework';
import type { PubSub, Subscription, Topic } from '@google-cloud/pubsub';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PubSubMessagePublished } from '../../functions/gcp/ingest.ts';
import { waitUntil } from '../../scripts/machine/wait-until.ts';
import {
  PUBSUB_MAX_MESSAGE_BYTES,
  publishRefusal,
  startPubSubFunctionHost,
} from '../../scripts/trigger-hosts/pubsub-function-host.ts';
import { gcpSettings, pubsubClient, uniqueName } from '../setup/cloud-clients.ts';

const gcp = gcpSettings();
const onEmulator = gcp.pubsubEmulatorHost !== undefined;
let pubsub: PubSub;
let topic: Topic;
let subscription: Subscription;

beforeAll(async () => {
  pubsub = pubsubClient(gcp);
  [topic] = await pubsub.createTopic(uniqueName('limit'));
  [subscription] = await topic.createSubscription(uniqueName('limit-sub'));
});

afterAll(async () => {
  await subscription?.delete().catch(() => {});
  await topic?.delete().catch(() => {});
  await pubsub?.close();
});

describe('the local Pub/Sub trigger host', () => {
  it('names the limit for a message over 10 MB and lets one at the limit through', () => {
    expect(publishRefusal({ id: 'm', data: Buffer.alloc(PUBSUB_MAX_MESSAGE_BYTES) })).toBeUndefined();
    expect(publishRefusal({ id: 'm', data: Buffer.alloc(PUBSUB_MAX_MESSAGE_BYTES + 1) })).toMatch(
      /10000001 bytes of data, over Pub\/Sub's limit of 10000000 bytes \(10 MB\) per message/,
    );
  });

  it.runIf(onEmulator)(
    'acks a message the cloud would have refused without invoking the function',
    async () => {
      const over = Buffer.alloc(10 * 1024 * 1024 + 1, 0x20);
      const atLimit = Buffer.alloc(PUBSUB_MAX_MESSAGE_BYTES, 0x20);
      // The emulator accepts what the cloud refuses: that is the gap the host closes.
      const overId = await topic.publishMessage({ data: over });
      await topic.publishMessage({ data: atLimit });
      const delivered: CloudEvent<PubSubMessagePublished>[] = [];
      const lines: string[] = [];
      const host = startPubSubFunctionHost({
        pubsub,
        projectId: gcp.projectId,
        subscription: subscription.name.split('/').pop()!,
        topic: topic.name.split('/').pop()!,
        handler: async (event) => {
          delivered.push(event);
        },
        log: (line) => lines.push(line),
      });
      try {
        await waitUntil(
          async () => (delivered.length >= 1 && host.stats.refusedMessages >= 1 ? true : undefined),
          {
            description: 'the message at the limit delivered and the one over it refused',
            timeoutMs: 30_000,
            intervalMs: 50,
            lastSeen: () => JSON.stringify(host.stats),
          },
        );
        // An acked message does not come back: give a redelivery time to show.
        await new Promise((resolve) => setTimeout(resolve, 1_500));
      } finally {
        await host.stop();
      }

      expect(delivered.map((event) => Buffer.from(event.data?.message.data ?? '', 'base64').length)).toEqual([
        PUBSUB_MAX_MESSAGE_BYTES,
      ]);
      expect(host.stats).toMatchObject({ refusedMessages: 1, messages: 1, failedMessages: 0 });
      expect(lines).toHaveLength(1);
      expect(JSON.parse(lines[0]!)).toMatchObject({
        refused: overId,
        reason: expect.stringMatching(/10 MB/),
      });
    },
    60_000,
  );
});
