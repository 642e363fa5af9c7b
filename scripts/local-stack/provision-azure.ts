/**
 * Creates the Cosmos DB database and containers of the manifest, and checks that an Event Hub given from outside
 * exists (Event Hubs are created through Azure Resource Manager or an emulator's config file, not through the data
 * plane the SDK speaks, so the stack can only check). Idempotent.
 */
import { type CosmosConnection, createCosmosClient } from '../../shared/clouds/azure/clients.ts';
import { createEventHubProducer } from '../../shared/clouds/azure/event-hubs-clients.ts';
import type { ResourceManifest } from './manifest.ts';

/**
 * Every container is partitioned by `/id`. Ingest and sync only do point reads and conditional replaces of one
 * window document, which then need nothing but the id; every logical partition holds one document, so there is no
 * 20 GB logical-partition cap to outgrow and no hot partition for a busy series. The price: queries over many
 * documents (sync's "changed since", verify's per-series digests) fan out across physical partitions — they are
 * periodic and paged, so that is the right side of the trade. Dead letters and sync state (one document per
 * source cloud) are written by id and read rarely, so the same key serves them.
 */
export const cosmosPartitionKeyPath = '/id';

/**
 * Sync lists slices ordered by (updatedAt, id); readers list one series' windows of one size by `start`. Cosmos
 * serves a two-field ORDER BY, and an equality filter with an ORDER BY on another field, best from composite
 * indexes. Terraform declares the same.
 */
export const aggregatesIndexingPolicy = {
  compositeIndexes: [
    [
      { path: '/updatedAt', order: 'ascending' as const },
      { path: '/id', order: 'ascending' as const },
    ],
    [
      { path: '/seriesWindow', order: 'ascending' as const },
      { path: '/start', order: 'ascending' as const },
    ],
  ],
};

export async function provisionCosmos(
  connection: CosmosConnection,
  manifest: ResourceManifest,
): Promise<void> {
  const client = createCosmosClient(connection);
  try {
    const { database } = await client.databases.createIfNotExists({ id: manifest.azure.cosmosDatabase });
    const containers = [
      manifest.azure.aggregatesContainer,
      manifest.azure.deadLettersContainer,
      manifest.azure.syncStateContainer,
    ];
    for (const id of containers) {
      await database.containers.createIfNotExists({
        id,
        partitionKey: { paths: [cosmosPartitionKeyPath] },
        ...(id === manifest.azure.aggregatesContainer ? { indexingPolicy: aggregatesIndexingPolicy } : {}),
      });
    }
  } finally {
    client.dispose();
  }
}

/** Fails with a clear message unless the hub answers with at least the manifest's partition count. */
export async function checkEventHub(connectionString: string, manifest: ResourceManifest): Promise<void> {
  const producer = createEventHubProducer({
    eventHubConnectionString: connectionString,
    eventHubName: manifest.azure.eventHub,
  });
  try {
    const properties = await producer.getEventHubProperties({ abortSignal: AbortSignal.timeout(30_000) });
    if (properties.partitionIds.length < manifest.azure.partitions) {
      throw new Error(
        `The Event Hub ${manifest.azure.eventHub} has ${properties.partitionIds.length} partitions; the manifest asks for ${manifest.azure.partitions}.`,
      );
    }
  } catch (error) {
    throw new Error(
      `The Event Hub ${manifest.azure.eventHub} given by EVENTHUB_CONNECTION_STRING did not answer as expected. Create it (Terraform, or the emulator's config) with ${manifest.azure.partitions} partitions and the consumer group ${manifest.azure.consumerGroup}.`,
      { cause: error },
    );
  } finally {
    await producer.close();
  }
}
