/**
 * One harness per cloud for the ingest integration tests: the real adapters, the transport's official producer
 * client, the local trigger host running the deployed handler, and a way to make the store unreachable (a second
 * adapter pointed at a port where nothing listens — real network errors, translated at the edge).
 */
import { GetQueueAttributesCommand, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { inject } from 'vitest';
import { startEventHubsFunctionHost } from '../../scripts/trigger-hosts/eventhubs-function-host.ts';
import type { TriggerHost } from '../../scripts/trigger-hosts/host-loop.ts';
import { startPubSubFunctionHost } from '../../scripts/trigger-hosts/pubsub-function-host.ts';
import { startSqsLambdaHost } from '../../scripts/trigger-hosts/sqs-lambda-host.ts';
import { createAwsStores } from '../../shared/clouds/aws/aws-stores.ts';
import { createSqsClient } from '../../shared/clouds/aws/clients.ts';
import { createAzureStores } from '../../shared/clouds/azure/azure-stores.ts';
import { createEventHubProducer } from '../../shared/clouds/azure/event-hubs-clients.ts';
import type { DeadLetterItem } from '../../shared/clouds/dead-letter-item.ts';
import { createGcpStores } from '../../shared/clouds/gcp/gcp-stores.ts';
import { createPubSub } from '../../shared/clouds/gcp/pubsub-client.ts';
import { readAwsSettings, readAzureSettings, readGcpSettings } from '../../shared/config/environment.ts';
import type { AggregateStore, DeadLetterSink, Origin } from '../../shared/core/index.ts';

export interface DeadLetterReader extends DeadLetterSink {
  read(id: string): Promise<DeadLetterItem | undefined>;
  list(): AsyncIterable<DeadLetterItem>;
}

export interface CloudHarness {
  origin: Origin;
  store: AggregateStore;
  deadLetters: DeadLetterReader;
  /** Stores of the same cloud that cannot reach their server: every call fails with a real network error. */
  unreachable(): { store: AggregateStore; deadLetters: DeadLetterSink };
  /** Sends message bodies through the cloud's transport with its official client. */
  send(bodies: readonly string[]): Promise<void>;
  /** Starts the local trigger host running the cloud's deployed ingest handler. */
  startHost(): Promise<TriggerHost>;
  close(): Promise<void>;
}

/** Loads the env contract into process.env, where deployed handlers read their configuration. */
export function useStackEnv(): Record<string, string> {
  const env = inject('tricloudEnv') as Record<string, string>;
  // Handlers log a line per invocation; tests keep only errors, so a failure's output stays readable.
  Object.assign(process.env, env, { TRICLOUD_LOG_LEVEL: process.env.TRICLOUD_LOG_LEVEL ?? 'error' });
  return env;
}

const DEAD_PORT_URL = 'http://127.0.0.1:9';

export function awsHarness(): CloudHarness {
  const settings = readAwsSettings(useStackEnv());
  const stores = createAwsStores(settings);
  const sqs = createSqsClient(settings);
  return {
    origin: 'aws',
    store: stores.store,
    deadLetters: stores.deadLetters,
    unreachable: () => createAwsStores({ ...settings, dynamodbEndpoint: DEAD_PORT_URL }),
    async send(bodies) {
      for (let i = 0; i < bodies.length; i += 10) {
        await sqs.send(
          new SendMessageBatchCommand({
            QueueUrl: settings.queueUrl,
            Entries: bodies.slice(i, i + 10).map((body, j) => ({ Id: String(j), MessageBody: body })),
          }),
        );
      }
    },
    async startHost() {
      const { handler } = await import('../../functions/aws/ingest.ts');
      const { Attributes } = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: settings.queueUrl, AttributeNames: ['QueueArn'] }),
      );
      return startSqsLambdaHost({
        sqs,
        queueUrl: settings.queueUrl,
        ...(Attributes?.QueueArn ? { queueArn: Attributes.QueueArn } : {}),
        handler,
        batchSize: 10,
        visibilityTimeoutSeconds: 5,
      });
    },
    async close() {
      stores.close();
      sqs.destroy();
    },
  };
}

export function gcpHarness(): CloudHarness {
  const settings = readGcpSettings(useStackEnv());
  const stores = createGcpStores(settings);
  const pubsub = createPubSub(settings);
  return {
    origin: 'gcp',
    store: stores.store,
    deadLetters: stores.deadLetters,
    unreachable: () => {
      // The Firestore client lets FIRESTORE_EMULATOR_HOST override any host it is given, so hide it while the
      // client is built; the client reads it only in its constructor.
      const saved = process.env.FIRESTORE_EMULATOR_HOST;
      delete process.env.FIRESTORE_EMULATOR_HOST;
      try {
        return createGcpStores({ ...settings, firestoreEmulatorHost: '127.0.0.1:9' });
      } finally {
        process.env.FIRESTORE_EMULATOR_HOST = saved;
      }
    },
    async send(bodies) {
      const topic = pubsub.topic(settings.topic);
      await Promise.all(bodies.map((body) => topic.publishMessage({ data: Buffer.from(body) })));
    },
    async startHost() {
      const { ingestPubSub } = await import('../../functions/gcp/ingest.ts');
      return startPubSubFunctionHost({
        pubsub,
        projectId: settings.projectId,
        subscription: settings.subscription,
        topic: settings.topic,
        handler: ingestPubSub,
      });
    },
    async close() {
      await stores.close();
      await pubsub.close();
    },
  };
}

export function azureHarness(): CloudHarness {
  const settings = readAzureSettings(useStackEnv());
  const stores = createAzureStores(settings);
  const producer = createEventHubProducer(settings);
  return {
    origin: 'azure',
    store: stores.store,
    deadLetters: stores.deadLetters,
    unreachable: () => createAzureStores({ ...settings, cosmosEndpoint: 'https://127.0.0.1:9/' }),
    async send(bodies) {
      let batch = await producer.createBatch();
      for (const body of bodies) {
        if (!batch.tryAdd({ body: Buffer.from(body) })) {
          await producer.sendBatch(batch);
          batch = await producer.createBatch();
          batch.tryAdd({ body: Buffer.from(body) });
        }
      }
      if (batch.count > 0) await producer.sendBatch(batch);
    },
    async startHost() {
      const { ingestEvents } = await import('../../functions/azure/ingest.ts');
      return startEventHubsFunctionHost({
        connectionString: settings.eventHubConnectionString,
        eventHubName: settings.eventHubName,
        consumerGroup: settings.consumerGroup,
        handler: ingestEvents,
      });
    },
    async close() {
      await producer.close();
      await stores.close();
    },
  };
}
