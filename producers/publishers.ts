/**
 * Sends packed messages to each cloud's transport with its official client: SQS in SendMessageBatch requests
 * (≤ 10 entries, ≤ 1 MiB), Pub/Sub with the client's own batching, Event Hubs in `EventDataBatch`es keyed by the
 * series so one series stays on one partition, in order. A publish resolves only when the transport has accepted
 * every message, and throws otherwise — what is not accepted must be retried or spooled by the caller.
 */
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { EventHubProducerClient } from '@azure/event-hubs';
import type { PubSub, Topic } from '@google-cloud/pubsub';
import { createSqsClient } from '../shared/clouds/aws/clients.ts';
import { createEventHubProducer } from '../shared/clouds/azure/event-hubs-clients.ts';
import { createPubSub } from '../shared/clouds/gcp/pubsub-client.ts';
import type { CloudSettings } from '../shared/config/environment.ts';
import type { Origin } from '../shared/core/index.ts';
import { SQS_BATCH_BYTES, SQS_BATCH_ENTRIES } from './transport-limits.ts';

export interface OutboundMessage {
  body: string;
  /** The series the message carries (producers pack one series per message for Event Hubs ordering). */
  partitionKey?: string;
}

export interface Publisher {
  readonly cloud: Origin;
  /**
   * `signal` cancels a publish its caller gave up on, where the client can (SQS, Event Hubs): a send left pending
   * keeps the client's own timers alive (Event Hubs' 60 s send timeout) and the process with them. Pub/Sub's
   * `publishMessage` takes no signal; its client settles or fails by itself.
   */
  publish(messages: readonly OutboundMessage[], signal?: AbortSignal): Promise<void>;
  close(): Promise<void>;
}

export function createPublisher(cloud: Origin, settings: CloudSettings): Publisher {
  switch (cloud) {
    case 'aws':
      return sqsPublisher(createSqsClient(settings.aws), settings.aws.queueUrl);
    case 'gcp':
      return pubsubPublisher(createPubSub(settings.gcp), settings.gcp.topic);
    case 'azure':
      return eventHubsPublisher(createEventHubProducer(settings.azure));
  }
}

function sqsPublisher(sqs: SQSClient, queueUrl: string): Publisher {
  return {
    cloud: 'aws',
    async publish(messages, signal) {
      let entries: { Id: string; MessageBody: string }[] = [];
      let bytes = 0;
      const flush = async () => {
        if (entries.length === 0) return;
        const result = await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }), {
          abortSignal: signal,
        });
        if (result.Failed?.length) {
          const first = result.Failed[0];
          throw new Error(
            `SQS refused ${result.Failed.length} of ${entries.length} messages (${first?.Code}: ${first?.Message})`,
          );
        }
        entries = [];
        bytes = 0;
      };
      for (const m of messages) {
        if (entries.length === SQS_BATCH_ENTRIES || bytes + m.body.length > SQS_BATCH_BYTES) await flush();
        entries.push({ Id: String(entries.length), MessageBody: m.body });
        bytes += m.body.length;
      }
      await flush();
    },
    async close() {
      sqs.destroy();
    },
  };
}

function pubsubPublisher(pubsub: PubSub, topicName: string): Publisher {
  const topic: Topic = pubsub.topic(topicName, { batching: { maxMessages: 100, maxMilliseconds: 10 } });
  return {
    cloud: 'gcp',
    async publish(messages) {
      await Promise.all(messages.map((m) => topic.publishMessage({ data: Buffer.from(m.body) })));
    },
    async close() {
      await topic.flush();
      await pubsub.close();
    },
  };
}

function eventHubsPublisher(producer: EventHubProducerClient): Publisher {
  return {
    cloud: 'azure',
    async publish(messages, signal) {
      const byKey = new Map<string | undefined, string[]>();
      for (const m of messages) {
        const list = byKey.get(m.partitionKey) ?? [];
        list.push(m.body);
        byKey.set(m.partitionKey, list);
      }
      for (const [partitionKey, bodies] of byKey) {
        const options = {
          ...(partitionKey === undefined ? {} : { partitionKey }),
          ...(signal ? { abortSignal: signal } : {}),
        };
        const sendOptions = signal ? { abortSignal: signal } : {};
        let batch = await producer.createBatch(options);
        for (const body of bodies) {
          if (batch.tryAdd({ body: Buffer.from(body) })) continue;
          await producer.sendBatch(batch, sendOptions);
          batch = await producer.createBatch(options);
          if (!batch.tryAdd({ body: Buffer.from(body) }))
            throw new Error(`a message of ${body.length} bytes exceeds an Event Hubs batch`);
        }
        if (batch.count > 0) await producer.sendBatch(batch, sendOptions);
      }
    },
    async close() {
      await producer.close();
    },
  };
}
