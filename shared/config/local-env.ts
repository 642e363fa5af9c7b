/**
 * The environment contract: the variable names that say where each cloud service is and what its resources are
 * called, read into typed settings.
 *
 * `tricloud stack up` writes these variables for the local stack; Terraform outputs (or a hand-written env file)
 * give the same names for real clouds. Adapters, trigger hosts and tests read settings from here and never assume
 * the local stack: an endpoint that is absent means "the SDK's default", i.e. the real service.
 *
 * Standard variables are used where the SDKs already honour them (`AWS_ENDPOINT_URL_SQS`, `PUBSUB_EMULATOR_HOST`,
 * …); the rest are `TRICLOUD_*`, plus the names Azure's samples use for Event Hubs and Cosmos DB.
 */
import { ConfigError } from '../core/errors.ts';

/** Every variable of the contract, by the setting it carries. */
export const envNames = {
  aws: {
    region: 'AWS_REGION',
    accessKeyId: 'AWS_ACCESS_KEY_ID',
    secretAccessKey: 'AWS_SECRET_ACCESS_KEY',
    sessionToken: 'AWS_SESSION_TOKEN',
    sqsEndpoint: 'AWS_ENDPOINT_URL_SQS',
    dynamodbEndpoint: 'AWS_ENDPOINT_URL_DYNAMODB',
    queueUrl: 'TRICLOUD_SQS_QUEUE_URL',
    deadLetterQueueUrl: 'TRICLOUD_SQS_DEAD_LETTER_QUEUE_URL',
    aggregatesTable: 'TRICLOUD_DYNAMODB_AGGREGATES_TABLE',
    changesIndex: 'TRICLOUD_DYNAMODB_CHANGES_INDEX',
    deadLettersTable: 'TRICLOUD_DYNAMODB_DEAD_LETTERS_TABLE',
  },
  gcp: {
    projectId: 'GOOGLE_CLOUD_PROJECT',
    pubsubEmulatorHost: 'PUBSUB_EMULATOR_HOST',
    firestoreEmulatorHost: 'FIRESTORE_EMULATOR_HOST',
    topic: 'TRICLOUD_PUBSUB_TOPIC',
    subscription: 'TRICLOUD_PUBSUB_SUBSCRIPTION',
    deadLetterTopic: 'TRICLOUD_PUBSUB_DEAD_LETTER_TOPIC',
    deadLetterSubscription: 'TRICLOUD_PUBSUB_DEAD_LETTER_SUBSCRIPTION',
    syncTopic: 'TRICLOUD_PUBSUB_SYNC_TOPIC',
    aggregatesCollection: 'TRICLOUD_FIRESTORE_AGGREGATES_COLLECTION',
    deadLettersCollection: 'TRICLOUD_FIRESTORE_DEAD_LETTERS_COLLECTION',
    syncStateCollection: 'TRICLOUD_FIRESTORE_SYNC_STATE_COLLECTION',
  },
  azure: {
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
  },
} as const;

export type Env = Readonly<Record<string, string | undefined>>;

/** Static keys; a session token accompanies temporary ones (Lambda's role credentials, STS). */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface AwsSettings {
  region: string;
  /** Absent in real clouds, where the SDK's default credential chain (roles, profiles) applies. */
  credentials?: AwsCredentials;
  /** Absent means the real SQS endpoint of `region`. */
  sqsEndpoint?: string;
  /** Absent means the real DynamoDB endpoint of `region`. */
  dynamodbEndpoint?: string;
  queueUrl: string;
  deadLetterQueueUrl: string;
  aggregatesTable: string;
  /** The GSI (hash `shard` N, range `changeKey` S) sync queries for changes instead of scanning. */
  changesIndex: string;
  deadLettersTable: string;
}

export interface GcpSettings {
  projectId: string;
  /** `host:port` of a Pub/Sub emulator; absent means the real service. */
  pubsubEmulatorHost?: string;
  /** `host:port` of a Firestore emulator; absent means the real service. */
  firestoreEmulatorHost?: string;
  topic: string;
  subscription: string;
  deadLetterTopic: string;
  deadLetterSubscription: string;
  syncTopic: string;
  aggregatesCollection: string;
  deadLettersCollection: string;
  syncStateCollection: string;
}

export interface AzureSettings {
  /** Namespace connection string; `UseDevelopmentEmulator=true` for local servers (plain AMQP, no TLS). */
  eventHubConnectionString: string;
  eventHubName: string;
  consumerGroup: string;
  cosmosEndpoint: string;
  cosmosKey: string;
  /**
   * Trust the self-signed certificate of a local Cosmos server, for this endpoint's client only (an https.Agent
   * with `rejectUnauthorized: false` given to `CosmosClient`); TLS stays verified for everything else.
   * Never set for a real account.
   */
  cosmosTrustSelfSignedCertificate: boolean;
  cosmosDatabase: string;
  aggregatesContainer: string;
  deadLettersContainer: string;
  syncStateContainer: string;
}

export interface CloudSettings {
  aws: AwsSettings;
  gcp: GcpSettings;
  azure: AzureSettings;
}

function required(env: Env, name: string): string {
  const value = env[name];
  if (value === undefined || value === '') {
    throw new ConfigError(
      `The environment variable ${name} is not set. Run 'tricloud stack up --env-file FILE' and load FILE, or set it to the value for your cloud (see docs/LOCAL-STACK.md).`,
    );
  }
  return value;
}

function optional(env: Env, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value === '' ? undefined : value;
}

/** Reads the AWS settings; throws a {@link ConfigError} naming the first missing variable. */
export function readAwsSettings(env: Env = process.env): AwsSettings {
  const n = envNames.aws;
  const accessKeyId = optional(env, n.accessKeyId);
  const secretAccessKey = optional(env, n.secretAccessKey);
  const sessionToken = optional(env, n.sessionToken);
  const sqsEndpoint = optional(env, n.sqsEndpoint);
  const dynamodbEndpoint = optional(env, n.dynamodbEndpoint);
  return {
    region: required(env, n.region),
    ...(accessKeyId !== undefined && secretAccessKey !== undefined
      ? {
          credentials: {
            accessKeyId,
            secretAccessKey,
            ...(sessionToken !== undefined ? { sessionToken } : {}),
          },
        }
      : {}),
    ...(sqsEndpoint !== undefined ? { sqsEndpoint } : {}),
    ...(dynamodbEndpoint !== undefined ? { dynamodbEndpoint } : {}),
    queueUrl: required(env, n.queueUrl),
    deadLetterQueueUrl: required(env, n.deadLetterQueueUrl),
    aggregatesTable: required(env, n.aggregatesTable),
    changesIndex: required(env, n.changesIndex),
    deadLettersTable: required(env, n.deadLettersTable),
  };
}

/** Reads the Google Cloud settings; throws a {@link ConfigError} naming the first missing variable. */
export function readGcpSettings(env: Env = process.env): GcpSettings {
  const n = envNames.gcp;
  const pubsubEmulatorHost = optional(env, n.pubsubEmulatorHost);
  const firestoreEmulatorHost = optional(env, n.firestoreEmulatorHost);
  return {
    projectId: required(env, n.projectId),
    ...(pubsubEmulatorHost !== undefined ? { pubsubEmulatorHost } : {}),
    ...(firestoreEmulatorHost !== undefined ? { firestoreEmulatorHost } : {}),
    topic: required(env, n.topic),
    subscription: required(env, n.subscription),
    deadLetterTopic: required(env, n.deadLetterTopic),
    deadLetterSubscription: required(env, n.deadLetterSubscription),
    syncTopic: required(env, n.syncTopic),
    aggregatesCollection: required(env, n.aggregatesCollection),
    deadLettersCollection: required(env, n.deadLettersCollection),
    syncStateCollection: required(env, n.syncStateCollection),
  };
}

/** Reads the Azure settings; throws a {@link ConfigError} naming the first missing variable. */
export function readAzureSettings(env: Env = process.env): AzureSettings {
  const n = envNames.azure;
  return {
    eventHubConnectionString: required(env, n.eventHubConnectionString),
    eventHubName: required(env, n.eventHubName),
    consumerGroup: required(env, n.consumerGroup),
    cosmosEndpoint: required(env, n.cosmosEndpoint),
    cosmosKey: required(env, n.cosmosKey),
    cosmosTrustSelfSignedCertificate: optional(env, n.cosmosTrustSelfSignedCertificate) === 'true',
    cosmosDatabase: required(env, n.cosmosDatabase),
    aggregatesContainer: required(env, n.aggregatesContainer),
    deadLettersContainer: required(env, n.deadLettersContainer),
    syncStateContainer: required(env, n.syncStateContainer),
  };
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
