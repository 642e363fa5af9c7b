/**
 * Runs a Cloud Function for Pub/Sub locally the way Eventarc does: each message is delivered as a
 * `google.cloud.pubsub.topic.v1.messagePublished` CloudEvent; success acks it, a thrown error nacks it so Pub/Sub
 * redelivers it (and, where the subscription has a dead-letter policy, forwards it after max delivery attempts).
 */
import type { CloudEvent } from '@google-cloud/functions-framework';
import type { Message, PubSub, Subscription } from '@google-cloud/pubsub';
import type { PubSubMessagePublished } from '../../functions/gcp/ingest.ts';
import type { HostStats, TriggerHost } from './host-loop.ts';

export interface PubSubFunctionHostOptions {
  pubsub: PubSub;
  projectId: string;
  subscription: string;
  topic: string;
  handler: (event: CloudEvent<PubSubMessagePublished>) => Promise<void>;
  /** Messages in flight at once, as concurrent function instances would take them; default 4. */
  concurrency?: number;
}

export function startPubSubFunctionHost(options: PubSubFunctionHostOptions): TriggerHost {
  const stats: HostStats = { invocations: 0, messages: 0, failedMessages: 0, errors: 0 };
  const subscription: Subscription = options.pubsub.subscription(options.subscription, {
    flowControl: { maxMessages: options.concurrency ?? 4, allowExcessMessages: false },
  });
  const inFlight = new Set<Promise<void>>();
  subscription.on('message', (message: Message) => {
    const delivery = (async () => {
      stats.invocations++;
      stats.messages++;
      try {
        await options.handler(toCloudEvent(message, options));
        message.ack();
      } catch (error) {
        stats.failedMessages++;
        stats.lastError = error instanceof Error ? error.message : String(error);
        message.nack();
      }
    })();
    inFlight.add(delivery);
    void delivery.finally(() => inFlight.delete(delivery));
  });
  subscription.on('error', (error: Error) => {
    // The client reconnects by itself; a stream error (emulator restarting) is only counted.
    stats.errors++;
    stats.lastError = error.message;
  });
  return {
    name: 'pubsub-function',
    stats,
    async stop() {
      await subscription.close();
      await Promise.allSettled([...inFlight]);
    },
  };
}

function toCloudEvent(
  message: Message,
  options: PubSubFunctionHostOptions,
): CloudEvent<PubSubMessagePublished> {
  return {
    specversion: '1.0',
    id: message.id,
    source: `//pubsub.googleapis.com/projects/${options.projectId}/topics/${options.topic}`,
    type: 'google.cloud.pubsub.topic.v1.messagePublished',
    time: message.publishTime.toISOString(),
    datacontenttype: 'application/json',
    data: {
      message: {
        data: message.data.toString('base64'),
        messageId: message.id,
        publishTime: message.publishTime.toISOString(),
        attributes: message.attributes,
      },
      subscription: `projects/${options.projectId}/subscriptions/${options.subscription}`,
    },
  };
}
