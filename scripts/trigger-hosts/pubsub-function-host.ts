/**
 * Runs a Cloud Function for Pub/Sub locally the way Eventarc does: each message is delivered as a
 * `google.cloud.pubsub.topic.v1.messagePublished` CloudEvent; success acks it, a thrown error nacks it so Pub/Sub
 * redelivers it (and, where the subscription has a dead-letter policy, forwards it after max delivery attempts).
 *
 * Pub/Sub refuses to publish a message whose data exceeds 10 MB (10,000,000 bytes), but the emulator takes it (it
 * accepted 10 MiB + 1). Such a message could not exist in the cloud: its producer would have got the error. So the
 * host never delivers one: it acks it (it must not come back, and the real dead-letter topic could not take it
 * either), counts it in `stats.refusedMessages` and logs why, naming the limit.
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
  /** Where a refused message's line goes; default `console.warn`. */
  log?: (line: string) => void;
}

/** Pub/Sub's limit on a message's data (Google's MB are decimal: "10 MB"). */
export const PUBSUB_MAX_MESSAGE_BYTES = 10_000_000;

export interface PubSubHostStats extends HostStats {
  /** Messages acked without an invocation because the cloud would have refused to publish them. */
  refusedMessages: number;
}

/** Why a message could not have been published to real Pub/Sub, or undefined if it could. */
export function publishRefusal(message: Pick<Message, 'id' | 'data'>): string | undefined {
  if (message.data.length <= PUBSUB_MAX_MESSAGE_BYTES) return undefined;
  return (
    `message ${message.id} has ${message.data.length} bytes of data, over Pub/Sub's limit of ` +
    `${PUBSUB_MAX_MESSAGE_BYTES} bytes (10 MB) per message: the cloud refuses to publish it, so it is acked ` +
    'and not delivered'
  );
}

export function startPubSubFunctionHost(
  options: PubSubFunctionHostOptions,
): TriggerHost & { readonly stats: PubSubHostStats } {
  const stats: PubSubHostStats = {
    invocations: 0,
    messages: 0,
    failedMessages: 0,
    errors: 0,
    refusedMessages: 0,
  };
  const log = options.log ?? ((line: string) => console.warn(line));
  const subscription: Subscription = options.pubsub.subscription(options.subscription, {
    flowControl: { maxMessages: options.concurrency ?? 4, allowExcessMessages: false },
  });
  const inFlight = new Set<Promise<void>>();
  subscription.on('message', (message: Message) => {
    const refusal = publishRefusal(message);
    if (refusal) {
      stats.refusedMessages++;
      stats.lastError = refusal;
      log(
        JSON.stringify({ level: 'warning', host: 'pubsub-function', refused: message.id, reason: refusal }),
      );
      message.ack();
      return;
    }
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
