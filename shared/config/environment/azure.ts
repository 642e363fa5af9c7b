/** Azure's part of the environment contract: its variable names, read into settings and written back from them. */
import type { AzureSettings, AzureStoreSettings } from '../../clouds/settings.ts';
import { type Env, flag, required, variable } from './values.ts';

/** Event Hubs and Cosmos DB take the names Azure's own samples use; the resource names are ours. */
export const azureNames = {
  eventHubConnectionString: 'EVENTHUB_CONNECTION_STRING',
  eventHubName: 'EVENTHUB_NAME',
  consumerGroup: 'EVENTHUB_CONSUMER_GROUP',
  cosmosEndpoint: 'COSMOS_ENDPOINT',
  cosmosKey: 'COSMOS_KEY',
  cosmosTrustSelfSignedCertificate: 'TRICLOUD_COSMOS_TRUST_SELF_SIGNED_CERT',
  cosmosDatabase: 'TRICLOUD_COSMOS_DATABASE',
  aggregatesContainer: 'TRICLOUD_COSMOS_AGGREGATES_CONTAINER',
  deadLettersContainer: 'TRICLOUD_COSMOS_DEAD_LETTERS_CONTAINER',
  syncStateContainer: 'TRICLOUD_COSMOS_SYNC_STATE_CONTAINER',
  /** The read function's URL, and its function key (sent as `x-functions-key`). */
  readUrl: 'TRICLOUD_READ_URL_AZURE',
  readKey: 'TRICLOUD_READ_KEY_AZURE',
} as const;

/** The variables that say which Cosmos DB containers to read, and carry no secret. */
export const azureStoreLocators = [
  azureNames.cosmosEndpoint,
  azureNames.cosmosDatabase,
  azureNames.aggregatesContainer,
  azureNames.deadLettersContainer,
  azureNames.syncStateContainer,
] as const;

/** Reads what reaching Cosmos DB takes; throws a {@link ConfigError} naming the first missing variable. */
export function readAzureStoreSettings(env: Env = process.env): AzureStoreSettings {
  const n = azureNames;
  return {
    cosmosEndpoint: required(env, n.cosmosEndpoint),
    cosmosKey: required(env, n.cosmosKey),
    cosmosTrustSelfSignedCertificate: flag(env, n.cosmosTrustSelfSignedCertificate),
    cosmosDatabase: required(env, n.cosmosDatabase),
    aggregatesContainer: required(env, n.aggregatesContainer),
    deadLettersContainer: required(env, n.deadLettersContainer),
    syncStateContainer: required(env, n.syncStateContainer),
  };
}

/** Reads the Azure settings; throws a {@link ConfigError} naming the first missing variable. */
export function readAzureSettings(env: Env = process.env): AzureSettings {
  const n = azureNames;
  return {
    ...readAzureStoreSettings(env),
    eventHubConnectionString: required(env, n.eventHubConnectionString),
    eventHubName: required(env, n.eventHubName),
    consumerGroup: required(env, n.consumerGroup),
  };
}

/**
 * The variables that {@link readAzureSettings} (or, without the hub, {@link readAzureStoreSettings}) reads back.
 * The trust flag is written only when set: a real account's env never mentions it.
 */
export function azureEnv(settings: AzureStoreSettings & Partial<AzureSettings>): Record<string, string> {
  const n = azureNames;
  const s = settings;
  return {
    ...variable(n.eventHubConnectionString, s.eventHubConnectionString),
    ...variable(n.eventHubName, s.eventHubName),
    ...variable(n.consumerGroup, s.consumerGroup),
    [n.cosmosEndpoint]: s.cosmosEndpoint,
    [n.cosmosKey]: s.cosmosKey,
    ...variable(n.cosmosTrustSelfSignedCertificate, s.cosmosTrustSelfSignedCertificate ? 'true' : undefined),
    [n.cosmosDatabase]: s.cosmosDatabase,
    [n.aggregatesContainer]: s.aggregatesContainer,
    [n.deadLettersContainer]: s.deadLettersContainer,
    [n.syncStateContainer]: s.syncStateContainer,
  };
}
