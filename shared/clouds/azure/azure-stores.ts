/** The Azure side of the ports, from settings: the Cosmos DB store and dead letters, sharing one client. */
import type { AzureStoreSettings } from '../settings.ts';
import { closeCosmosClient, createCosmosClient } from './clients.ts';
import { CosmosDeadLetters } from './cosmos-dead-letters.ts';
import { CosmosStore } from './cosmos-store.ts';

export function createAzureStores(settings: AzureStoreSettings) {
  const client = createCosmosClient(settings);
  const database = client.database(settings.cosmosDatabase);
  return {
    store: new CosmosStore({
      database,
      aggregatesContainer: settings.aggregatesContainer,
      syncStateContainer: settings.syncStateContainer,
    }),
    deadLetters: new CosmosDeadLetters({ database, container: settings.deadLettersContainer }),
    close: async () => closeCosmosClient(client),
  };
}
