/**
 * One cloud's dead letters, from the env contract: the store's dead-letter place (what the ingest function wrote),
 * the transport's own (what exhausted its deliveries), and the redrive between them and the transport. Each
 * cloud's SDKs load only when that cloud is opened.
 */
import type { DeadLetterReader } from '../../shared/clouds/dead-letter-item.ts';
import {
  type Env,
  readAwsSettings,
  readAwsStoreSettings,
  readAzureSettings,
  readAzureStoreSettings,
  readGcpSettings,
  readGcpStoreSettings,
} from '../../shared/config/environment.ts';
import type { Origin } from '../../shared/core/index.ts';
import { type Letter, storeLetter } from './letter.ts';
import type { RedriveOptions, RedriveReport, TransportDeadLetters } from './transport-dead-letters.ts';

export interface StoreDeadLetters {
  /** The table, collection or container, for people. */
  where: string;
  /** Every letter, or (with `since`, filtered by the store) those dead-lettered at or after it. */
  list(since?: number): AsyncIterable<Letter>;
  read(id: string): Promise<Letter | undefined>;
}

export interface CloudDeadLetters {
  cloud: Origin;
  store: StoreDeadLetters;
  /** The transport's dead-letter place, or a sentence saying why there is none to read. */
  transport: TransportDeadLetters | { none: string };
  /** Sends what exhausted its deliveries back to the transport (or says what would move). */
  redrive(options: RedriveOptions): Promise<RedriveReport>;
  close(): Promise<void>;
}

/**
 * Opens a cloud's dead letters. Throws the `ConfigError` naming a missing store variable; a missing transport
 * variable leaves `transport` saying so (the store's letters can still be read) and fails `redrive`.
 */
export async function openCloudDeadLetters(cloud: Origin, env: Env): Promise<CloudDeadLetters> {
  switch (cloud) {
    case 'aws':
      return openAws(env);
    case 'gcp':
      return openGcp(env);
    case 'azure':
      return openAzure(env);
  }
}

async function openAws(env: Env): Promise<CloudDeadLetters> {
  const settings = readAwsStoreSettings(env);
  const { createAwsStores } = await import('../../shared/clouds/aws/aws-stores.ts');
  const stores = createAwsStores(settings);
  const store = storeOf('aws', stores.deadLetters, `DynamoDB table ${settings.deadLettersTable}`);
  const transport = await transportOf(async () => {
    const { sqsDeadLetterQueue } = await import('./sqs-dead-letter-queue.ts');
    return sqsDeadLetterQueue(readAwsSettings(env));
  });
  return withTransport('aws', store, transport, () => stores.close());
}

async function openGcp(env: Env): Promise<CloudDeadLetters> {
  const settings = readGcpStoreSettings(env);
  const { createGcpStores } = await import('../../shared/clouds/gcp/gcp-stores.ts');
  const stores = createGcpStores(settings);
  const store = storeOf('gcp', stores.deadLetters, `Firestore collection ${settings.deadLettersCollection}`);
  const transport = await transportOf(async () => {
    const { pubsubDeadLetterSubscription } = await import('./pubsub-dead-letter-subscription.ts');
    return pubsubDeadLetterSubscription(readGcpSettings(env));
  });
  return withTransport('gcp', store, transport, () => stores.close());
}

async function openAzure(env: Env): Promise<CloudDeadLetters> {
  const settings = readAzureStoreSettings(env);
  const { createAzureStores } = await import('../../shared/clouds/azure/azure-stores.ts');
  const stores = createAzureStores(settings);
  const where = `Cosmos DB container ${settings.deadLettersContainer} (database ${settings.cosmosDatabase})`;
  const store = storeOf('azure', stores.deadLetters, where);
  return {
    cloud: 'azure',
    store,
    transport: {
      none: `Event Hubs has no dead-letter queue: the Azure ingest dead-letters a message the store refused for good into the ${where} itself, listed above as undeliverable, and redrive sends those back to the hub`,
    },
    async redrive({ dryRun, since }) {
      // Read first: a redrive without the hub's variables must say so before anything moves.
      const hub = readAzureSettings(env);
      const [{ redriveToEventHubs, undeliverableLetters }, { createEventHubProducer }] = await Promise.all([
        import('./event-hubs-redrive.ts'),
        import('../../shared/clouds/azure/event-hubs-clients.ts'),
      ]);
      return redriveToEventHubs(
        undeliverableLetters(stores.deadLetters, where, (item) => storeLetter('azure', item, where)),
        { name: hub.eventHubName, producer: () => createEventHubProducer(hub) },
        { dryRun, ...(since === undefined ? {} : { since }) },
      );
    },
    close: async () => stores.close(),
  };
}

function storeOf(cloud: Origin, reader: DeadLetterReader, where: string): StoreDeadLetters {
  return {
    where,
    async *list(since) {
      for await (const item of reader.list(since === undefined ? {} : { since })) {
        yield storeLetter(cloud, item, where);
      }
    },
    async read(id) {
      const item = await reader.read(id);
      return item === undefined ? undefined : storeLetter(cloud, item, where);
    },
  };
}

/** The transport's reader, or why it cannot be opened (a missing variable: the error names it). */
async function transportOf(
  open: () => Promise<TransportDeadLetters>,
): Promise<TransportDeadLetters | { none: string; error: unknown }> {
  try {
    return await open();
  } catch (error) {
    return { none: error instanceof Error ? error.message : String(error), error };
  }
}

function withTransport(
  cloud: Origin,
  store: StoreDeadLetters,
  transport: TransportDeadLetters | { none: string; error: unknown },
  closeStore: () => void | Promise<void>,
): CloudDeadLetters {
  return {
    cloud,
    store,
    transport,
    redrive(options) {
      if ('none' in transport) throw transport.error;
      return transport.redrive(options);
    },
    async close() {
      await Promise.all(['none' in transport ? undefined : transport.close(), closeStore()]);
    },
  };
}
