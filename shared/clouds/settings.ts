/**
 * What each cloud's clients and adapters need to reach their services: the settings types. They live with the
 * adapters that consume them; `shared/config` reads them from the environment contract.
 */

/** Static keys; a session token accompanies temporary ones (Lambda's role credentials, STS). */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/**
 * Where a function outside AWS gets the OpenID Connect token that STS trades for a role's credentials: its
 * platform's own identity, so no AWS key is stored anywhere.
 */
export type WebIdentityTokenSource =
  /** Google's metadata server signs an ID token of the function's service account (Cloud Functions, Cloud Run). */
  | { platform: 'gcp-metadata'; metadataHost: string }
  /** The Functions host's managed identity endpoint hands out an Entra ID token of the app's identity. */
  | { platform: 'azure-managed-identity'; identityEndpoint: string; identityHeader: string };

/** A role another cloud's function assumes with `AssumeRoleWithWebIdentity` (see infra/aws/federation.tf). */
export interface AwsWebIdentity {
  roleArn: string;
  /** What the token is asked for, and what the role's trust policy pins (`aud`). */
  audience: string;
  tokenSource: WebIdentityTokenSource;
  /** Absent means the STS endpoint of the region. */
  stsEndpoint?: string;
}

/** What reaching DynamoDB takes: all that a store (sync, export, verify) needs of AWS. */
export interface AwsStoreSettings {
  region: string;
  /**
   * Static keys: the local stack's, or a developer's. Absent in real clouds, where the SDK's default credential
   * chain (roles, profiles) applies, or `webIdentity` when set.
   */
  credentials?: AwsCredentials;
  /** GCP's and Azure's sync functions: a role assumed with the platform's identity token, instead of keys. */
  webIdentity?: AwsWebIdentity;
  /** Absent means the real DynamoDB endpoint of `region`. */
  dynamodbEndpoint?: string;
  aggregatesTable: string;
  /** The GSI (hash `shard` N, range `changeKey` S) sync queries for changes instead of scanning. */
  changesIndex: string;
  deadLettersTable: string;
}

export interface AwsSettings extends AwsStoreSettings {
  /** Absent means the real SQS endpoint of `region`. */
  sqsEndpoint?: string;
  queueUrl: string;
  deadLetterQueueUrl: string;
}

/**
 * A Google credential given as JSON text rather than as a file: a service-account key (`type: service_account`)
 * or a workload identity federation configuration (`type: external_account`). The Google SDKs take it as their
 * `credentials` option, which google-auth-library turns into the same client a file would give.
 */
export interface GcpCredentials {
  type: 'service_account' | 'external_account';
  [field: string]: unknown;
}

/** What reaching Firestore takes: all that a store (sync, export, verify) needs of Google Cloud. */
export interface GcpStoreSettings {
  projectId: string;
  /**
   * From `TRICLOUD_GCP_CREDENTIALS_JSON`, for hosts that cannot be given a credentials file (an Azure Function
   * App); absent means Application Default Credentials (`GOOGLE_APPLICATION_CREDENTIALS`, the metadata server).
   */
  credentials?: GcpCredentials;
  /** `host:port` of a Firestore emulator; absent means the real service. */
  firestoreEmulatorHost?: string;
  aggregatesCollection: string;
  deadLettersCollection: string;
  syncStateCollection: string;
}

export interface GcpSettings extends GcpStoreSettings {
  /** `host:port` of a Pub/Sub emulator; absent means the real service. */
  pubsubEmulatorHost?: string;
  topic: string;
  subscription: string;
  deadLetterTopic: string;
  deadLetterSubscription: string;
  syncTopic: string;
}

/** What reaching Cosmos DB takes: all that a store (sync, export, verify) needs of Azure. */
export interface AzureStoreSettings {
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

export interface AzureSettings extends AzureStoreSettings {
  /** Namespace connection string; `UseDevelopmentEmulator=true` for local servers (plain AMQP, no TLS). */
  eventHubConnectionString: string;
  eventHubName: string;
  consumerGroup: string;
}

export interface CloudSettings {
  aws: AwsSettings;
  gcp: GcpSettings;
  azure: AzureSettings;
}

/** The three stores' settings, without the queues, topics and hubs: what sync, export and verify read. */
export interface StoreSettings {
  aws: AwsStoreSettings;
  gcp: GcpStoreSettings;
  azure: AzureStoreSettings;
}
