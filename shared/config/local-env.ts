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

import type {
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
import { ConfigError } from '../core/errors.ts';
import type { Origin } from '../core/origin.ts';

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
    /** The read function's URL (a Lambda Function URL with IAM auth: requests are signed with SigV4). */
    readUrl: 'TRICLOUD_READ_URL_AWS',
  },
  gcp: {
    projectId: 'GOOGLE_CLOUD_PROJECT',
    credentialsJson: 'TRICLOUD_GCP_CREDENTIALS_JSON',
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
    /** The read function's URL (IAM invoker: requests carry a Google identity token). */
    readUrl: 'TRICLOUD_READ_URL_GCP',
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
    /** The read function's URL, and its function key (sent as `x-functions-key`). */
    readUrl: 'TRICLOUD_READ_URL_AZURE',
    readKey: 'TRICLOUD_READ_KEY_AZURE',
  },
} as const;

export type Env = Readonly<Record<string, string | undefined>>;

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
};

function required(env: Env, name: string): string {
  const value = env[name];
  if (value === undefined || value === '') {
    throw new ConfigError(
      `The environment variable ${name} is not set. Run 'tricloud stack up --env FILE' and load FILE, or set it to the value for your cloud (see docs/LOCAL-STACK.md).`,
    );
  }
  return value;
}

function optional(env: Env, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value === '' ? undefined : value;
}

/** Reads what reaching DynamoDB takes; throws a {@link ConfigError} naming the first missing variable. */
export function readAwsStoreSettings(env: Env = process.env): AwsStoreSettings {
  const n = envNames.aws;
  const accessKeyId = optional(env, n.accessKeyId);
  const secretAccessKey = optional(env, n.secretAccessKey);
  const sessionToken = optional(env, n.sessionToken);
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
    ...(dynamodbEndpoint !== undefined ? { dynamodbEndpoint } : {}),
    aggregatesTable: required(env, n.aggregatesTable),
    changesIndex: required(env, n.changesIndex),
    deadLettersTable: required(env, n.deadLettersTable),
  };
}

/** Reads the AWS settings; throws a {@link ConfigError} naming the first missing variable. */
export function readAwsSettings(env: Env = process.env): AwsSettings {
  const n = envNames.aws;
  const sqsEndpoint = optional(env, n.sqsEndpoint);
  return {
    ...readAwsStoreSettings(env),
    ...(sqsEndpoint !== undefined ? { sqsEndpoint } : {}),
    queueUrl: required(env, n.queueUrl),
    deadLetterQueueUrl: required(env, n.deadLetterQueueUrl),
  };
}

const credentialsFix =
  "Set it to the content of a service-account key file (type service_account) or of a workload identity federation credential configuration (type external_account, as 'gcloud iam workload-identity-pools create-cred-config' writes), or unset it to use Application Default Credentials.";

/** Fields without which google-auth-library cannot build a client of each credential type. */
const credentialFields: Record<GcpCredentials['type'], readonly string[]> = {
  service_account: ['client_email', 'private_key'],
  external_account: ['audience', 'subject_token_type', 'credential_source'],
};

/**
 * Parses `TRICLOUD_GCP_CREDENTIALS_JSON`. Errors never quote the value — it may hold a private key — only where
 * the JSON breaks and which field is missing.
 */
function readGcpCredentials(env: Env): GcpCredentials | undefined {
  const name = envNames.gcp.credentialsJson;
  const text = optional(env, name);
  if (text === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    // V8's message quotes the start of the text, so only the position is kept.
    const position = /position (\d+)/.exec(String(error))?.[1];
    throw new ConfigError(
      `The environment variable ${name} is not valid JSON${position ? ` (error at character ${position})` : ''}. ${credentialsFix}`,
    );
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError(`The environment variable ${name} is JSON but not an object. ${credentialsFix}`);
  }
  const fields = parsed as Record<string, unknown>;
  const type = fields.type;
  if (type !== 'service_account' && type !== 'external_account') {
    throw new ConfigError(
      `The environment variable ${name} has no "type" of service_account or external_account. ${credentialsFix}`,
    );
  }
  const missing = credentialFields[type].filter(
    (f) => fields[f] === undefined || fields[f] === null || fields[f] === '',
  );
  if (missing.length > 0) {
    throw new ConfigError(
      `The environment variable ${name} is a ${type} credential without ${missing.join(', ')}. ${credentialsFix}`,
    );
  }
  return { ...fields, type };
}

/** Reads what reaching Firestore takes; throws a {@link ConfigError} naming the first missing variable. */
export function readGcpStoreSettings(env: Env = process.env): GcpStoreSettings {
  const n = envNames.gcp;
  const credentials = readGcpCredentials(env);
  const firestoreEmulatorHost = optional(env, n.firestoreEmulatorHost);
  return {
    projectId: required(env, n.projectId),
    ...(credentials !== undefined ? { credentials } : {}),
    ...(firestoreEmulatorHost !== undefined ? { firestoreEmulatorHost } : {}),
    aggregatesCollection: required(env, n.aggregatesCollection),
    deadLettersCollection: required(env, n.deadLettersCollection),
    syncStateCollection: required(env, n.syncStateCollection),
  };
}

/** Reads the Google Cloud settings; throws a {@link ConfigError} naming the first missing variable. */
export function readGcpSettings(env: Env = process.env): GcpSettings {
  const n = envNames.gcp;
  const pubsubEmulatorHost = optional(env, n.pubsubEmulatorHost);
  return {
    ...readGcpStoreSettings(env),
    ...(pubsubEmulatorHost !== undefined ? { pubsubEmulatorHost } : {}),
    topic: required(env, n.topic),
    subscription: required(env, n.subscription),
    deadLetterTopic: required(env, n.deadLetterTopic),
    deadLetterSubscription: required(env, n.deadLetterSubscription),
    syncTopic: required(env, n.syncTopic),
  };
}

/** Reads what reaching Cosmos DB takes; throws a {@link ConfigError} naming the first missing variable. */
export function readAzureStoreSettings(env: Env = process.env): AzureStoreSettings {
  const n = envNames.azure;
  return {
    cosmosEndpoint: required(env, n.cosmosEndpoint),
    cosmosKey: required(env, n.cosmosKey),
    cosmosTrustSelfSignedCertificate: optional(env, n.cosmosTrustSelfSignedCertificate) === 'true',
    cosmosDatabase: required(env, n.cosmosDatabase),
    aggregatesContainer: required(env, n.aggregatesContainer),
    deadLettersContainer: required(env, n.deadLettersContainer),
    syncStateContainer: required(env, n.syncStateContainer),
  };
}

/** Reads the Azure settings; throws a {@link ConfigError} naming the first missing variable. */
export function readAzureSettings(env: Env = process.env): AzureSettings {
  const n = envNames.azure;
  return {
    ...readAzureStoreSettings(env),
    eventHubConnectionString: required(env, n.eventHubConnectionString),
    eventHubName: required(env, n.eventHubName),
    consumerGroup: required(env, n.consumerGroup),
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
