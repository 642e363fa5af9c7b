/**
 * The environment contract: the variables that say where each cloud service is, what its resources are called and
 * how the pipeline runs — named, read into typed settings, validated and written back, here and only here.
 *
 * The same names serve the local stack and real clouds: `tricloud stack up` writes them for its servers (typed
 * settings → {@link cloudEnv}), Terraform outputs them for deployed resources, and functions, trigger hosts, CLI
 * commands and tests read them. An endpoint that is absent means "the SDK's default", i.e. the real service; no
 * reader assumes the local stack. Standard variables are used where the SDKs already honour them
 * (`AWS_ENDPOINT_URL_SQS`, `PUBSUB_EMULATOR_HOST`, …); the rest are `TRICLOUD_*`, plus the names Azure's samples use
 * for Event Hubs and Cosmos DB. Env files (`KEY=VALUE`) are read and written by `env-file.ts` beside this module.
 *
 * @example
 * const { aws } = readCloudSettings(process.env);
 * const env = cloudEnv({ aws, gcp, azure }); // the same variables, ready for an env file
 */
import type { CloudSettings, StoreSettings } from '../clouds/settings.ts';
import type { Origin } from '../core/origin.ts';
import {
  awsCredentialsEnv,
  awsEnv,
  awsNames,
  awsStoreLocators,
  readAwsCredentials,
  readAwsSettings,
  readAwsStoreSettings,
} from './environment/aws.ts';
import {
  azureEnv,
  azureNames,
  azureStoreLocators,
  readAzureSettings,
  readAzureStoreSettings,
} from './environment/azure.ts';
import {
  gcpEnv,
  gcpNames,
  gcpStoreLocators,
  readGcpSettings,
  readGcpStoreSettings,
} from './environment/gcp.ts';
import { pipelineNames } from './environment/pipeline.ts';
import { syncNames } from './environment/sync.ts';
import { type Env, optional } from './environment/values.ts';

export type {
  AwsCredentials,
  AwsSettings,
  AwsStoreSettings,
  AzureSettings,
  AzureStoreSettings,
  CloudSettings,
  GcpCredentials,
  GcpSettings,
  GcpStoreSettings,
  StoreSettings,
} from '../clouds/settings.ts';
export { type CloudService, type GivenServices, readGivenServices } from './environment/given-services.ts';
export { type PipelineSettings, readPipelineSettings } from './environment/pipeline.ts';
export { readSyncOptions } from './environment/sync.ts';
export type { Env };
export {
  awsCredentialsEnv,
  awsEnv,
  azureEnv,
  gcpEnv,
  readAwsCredentials,
  readAwsSettings,
  readAwsStoreSettings,
  readAzureSettings,
  readAzureStoreSettings,
  readGcpSettings,
  readGcpStoreSettings,
};

/** Every variable of the contract, by the setting it carries. */
export const envNames = {
  aws: awsNames,
  gcp: gcpNames,
  azure: azureNames,
  pipeline: pipelineNames,
  sync: syncNames,
  /** What a reader of the windows (`tricloud query`, a client) is told. */
  read: {
    /** The clouds to ask, in turn: `gcp,azure,aws`. */
    order: 'TRICLOUD_READ_ORDER',
    /** The local read functions' bearer token (the clouds' own IAM stands in for it when deployed). */
    localToken: 'TRICLOUD_READ_TOKEN',
  },
  /**
   * What `tricloud deploy` alone reads: the identities one stack outputs and another trusts, so the other clouds'
   * sync functions reach DynamoDB (and Azure's Firestore) with their own identity and no key
   * (infra/<cloud>/federation.tf).
   */
  deploy: {
    /** infra/gcp → infra/aws: the unique id of GCP's sync service account, which its role trusts. */
    gcpSyncIdentity: 'TRICLOUD_GCP_SYNC_IDENTITY',
    /** infra/azure → infra/aws: the object id of the Function App's managed identity, and its tenant. */
    azureSyncIdentity: 'TRICLOUD_AZURE_SYNC_IDENTITY',
    azureTenantId: 'TRICLOUD_AZURE_TENANT_ID',
    /** infra/aws → infra/gcp and infra/azure: the role each cloud's sync assumes. */
    gcpSyncRoleArn: 'TRICLOUD_AWS_GCP_SYNC_ROLE_ARN',
    azureSyncRoleArn: 'TRICLOUD_AWS_AZURE_SYNC_ROLE_ARN',
    /** infra/gcp → infra/azure: the provider that trusts Azure's sync, and the account it acts as. */
    gcpAzureSyncProvider: 'TRICLOUD_GCP_AZURE_SYNC_PROVIDER',
    gcpAzureSyncServiceAccount: 'TRICLOUD_GCP_AZURE_SYNC_SERVICE_ACCOUNT',
  },
} as const;

const contractNames = new Set<string>(Object.values(envNames).flatMap((group) => Object.values(group)));

/** Whether `name` is a variable of the contract (what `tricloud deploy --env` keeps of Terraform's outputs). */
export function isContractName(name: string): boolean {
  return contractNames.has(name);
}

/**
 * Reads the settings of all three clouds.
 *
 * @example
 * const { aws } = readCloudSettings();
 * const sqs = new SQSClient({ region: aws.region, endpoint: aws.sqsEndpoint, credentials: aws.credentials });
 */
export function readCloudSettings(env: Env = process.env): CloudSettings {
  return { aws: readAwsSettings(env), gcp: readGcpSettings(env), azure: readAzureSettings(env) };
}

/**
 * Reads the three stores' settings only — no queue, topic or hub — for whoever reads and writes aggregates but
 * never ingests: the sync functions (which then need no Event Hubs secret), export and verify.
 *
 * @example
 * const settings = readStoreSettings();
 * const { store } = await createStores('azure', settings);
 */
export function readStoreSettings(env: Env = process.env): StoreSettings {
  return {
    aws: readAwsStoreSettings(env),
    gcp: readGcpStoreSettings(env),
    azure: readAzureStoreSettings(env),
  };
}

/**
 * Reads one cloud's store settings only, for whoever reads that cloud alone (its read function, `tricloud query`
 * asking the clouds in turn): the other clouds' variables need not be set. The others are left out of the result.
 */
export function readOwnStoreSettings(origin: Origin, env: Env = process.env): StoreSettings {
  const own = {
    aws: () => ({ aws: readAwsStoreSettings(env) }),
    gcp: () => ({ gcp: readGcpStoreSettings(env) }),
    azure: () => ({ azure: readAzureStoreSettings(env) }),
  }[origin]();
  // createStores reads only settings[origin]; the rest of the record is never touched.
  return own as StoreSettings;
}

/** The variables that {@link readCloudSettings} (or, given store settings, {@link readStoreSettings}) reads back. */
export function cloudEnv(settings: CloudSettings | StoreSettings): Record<string, string> {
  return { ...awsEnv(settings.aws), ...gcpEnv(settings.gcp), ...azureEnv(settings.azure) };
}

const storeLocators: Record<Origin, readonly string[]> = {
  aws: awsStoreLocators,
  gcp: gcpStoreLocators,
  azure: azureStoreLocators,
};

/**
 * The variables of `cloud`'s store that are set in `env` and carry no secret and no local endpoint: what another
 * cloud's sync function is given to find this store. Partial on purpose — a cloud deployed first has no others to
 * name yet.
 */
export function storeLocatorEnv(cloud: Origin, env: Env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of storeLocators[cloud]) {
    const value = optional(env, name);
    if (value !== undefined) out[name] = value;
  }
  return out;
}
