/**
 * Creates the Pub/Sub resources of the manifest: the records topic, the ingest subscription with a dead-letter
 * policy, the dead-letter topic with a subscription to inspect it, and the sync tick topic. Idempotent.
 * Firestore needs nothing: collections exist once a document is written, and the emulator needs no indexes.
 */
import type { PubSub, Topic } from '@google-cloud/pubsub';
import type { GcpConnection } from '../../shared/clouds/gcp/gcp-connection.ts';
import { createPubSub } from '../../shared/clouds/gcp/pubsub-client.ts';
import type { ResourceManifest } from './manifest.ts';

const alreadyExists = 6;

function isAlreadyExists(error: unknown): boolean {
  return (error as { code?: unknown }).code === alreadyExists;
}

async function ensureTopic(pubsub: PubSub, name: string): Promise<Topic> {
  try {
    const [topic] = await pubsub.createTopic(name);
    return topic;
  } catch (error) {
    if (!isAlreadyExists(error)) throw error;
    return pubsub.topic(name);
  }
}

async function ensureSubscription(
  topic: Topic,
  name: string,
  options: Parameters<Topic['createSubscription']>[1] = {},
): Promise<void> {
  try {
    await topic.createSubscription(name, options);
  } catch (error) {
    if (!isAlreadyExists(error)) throw error;
  }
}

export async function provisionPubSub(connection: GcpConnection, manifest: ResourceManifest): Promise<void> {
  const pubsub = createPubSub(connection);
  try {
    const { gcp } = manifest;
    const [records, deadLetters] = await Promise.all([
      ensureTopic(pubsub, gcp.topic),
      ensureTopic(pubsub, gcp.deadLetterTopic),
      ensureTopic(pubsub, gcp.syncTopic),
    ]);
    await Promise.all([
      ensureSubscription(records, gcp.subscription, {
        deadLetterPolicy: { deadLetterTopic: deadLetters.name, maxDeliveryAttempts: gcp.maxDeliveryAttempts },
      }),
      ensureSubscription(deadLetters, gcp.deadLetterSubscription),
    ]);
  } finally {
    await pubsub.close();
  }
}
