/** AWS's part of the environment contract: its variable names, read into settings and written back from them. */
import type { AwsCredentials, AwsSettings, AwsStoreSettings } from '../../clouds/settings.ts';
import { ConfigError } from '../../core/errors.ts';
import { awsWebIdentityEnv, awsWebIdentityNames, readAwsWebIdentity } from './aws-web-identity.ts';
import { type Env, optional, required, variable } from './values.ts';

export const awsNames = {
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
  /** A role to assume with the platform's identity token, for functions on the other clouds. */
  ...awsWebIdentityNames,
} as const;

/** The variables that say which DynamoDB tables to read, and carry no secret and no local endpoint. */
export const awsStoreLocators = [
  awsNames.region,
  awsNames.aggregatesTable,
  awsNames.changesIndex,
  awsNames.deadLettersTable,
] as const;

/** Static keys when both are set; otherwise `undefined`, and the SDK's default chain (roles, profiles) applies. */
export function readAwsCredentials(env: Env): AwsCredentials | undefined {
  const accessKeyId = optional(env, awsNames.accessKeyId);
  const secretAccessKey = optional(env, awsNames.secretAccessKey);
  const sessionToken = optional(env, awsNames.sessionToken);
  if (accessKeyId === undefined || secretAccessKey === undefined) return undefined;
  return { accessKeyId, secretAccessKey, ...(sessionToken !== undefined ? { sessionToken } : {}) };
}

/** Reads what reaching DynamoDB takes; throws a {@link ConfigError} naming the first missing variable. */
export function readAwsStoreSettings(env: Env = process.env): AwsStoreSettings {
  const n = awsNames;
  const credentials = readAwsCredentials(env);
  const webIdentity = readAwsWebIdentity(env);
  if (credentials !== undefined && webIdentity !== undefined) {
    throw new ConfigError(
      `${n.roleArn} and ${n.accessKeyId} are both set, so it is unclear who reaches AWS: unset the keys to assume ` +
        `the role with the platform's identity, or unset ${n.roleArn} and ${n.tokenSource} to use the keys (development only).`,
    );
  }
  const dynamodbEndpoint = optional(env, n.dynamodbEndpoint);
  return {
    region: required(env, n.region),
    ...(credentials !== undefined ? { credentials } : {}),
    ...(webIdentity !== undefined ? { webIdentity } : {}),
    ...(dynamodbEndpoint !== undefined ? { dynamodbEndpoint } : {}),
    aggregatesTable: required(env, n.aggregatesTable),
    changesIndex: required(env, n.changesIndex),
    deadLettersTable: required(env, n.deadLettersTable),
  };
}

/** Reads the AWS settings; throws a {@link ConfigError} naming the first missing variable. */
export function readAwsSettings(env: Env = process.env): AwsSettings {
  const n = awsNames;
  const sqsEndpoint = optional(env, n.sqsEndpoint);
  return {
    ...readAwsStoreSettings(env),
    ...(sqsEndpoint !== undefined ? { sqsEndpoint } : {}),
    queueUrl: required(env, n.queueUrl),
    deadLetterQueueUrl: required(env, n.deadLetterQueueUrl),
  };
}

export function awsCredentialsEnv(credentials: AwsCredentials): Record<string, string> {
  return {
    [awsNames.accessKeyId]: credentials.accessKeyId,
    [awsNames.secretAccessKey]: credentials.secretAccessKey,
    ...variable(awsNames.sessionToken, credentials.sessionToken),
  };
}

/** The variables that {@link readAwsSettings} (or, without the queues, {@link readAwsStoreSettings}) reads back. */
export function awsEnv(settings: AwsStoreSettings & Partial<AwsSettings>): Record<string, string> {
  const n = awsNames;
  const s = settings;
  return {
    [n.region]: s.region,
    ...(s.credentials !== undefined ? awsCredentialsEnv(s.credentials) : {}),
    ...(s.webIdentity !== undefined ? awsWebIdentityEnv(s.webIdentity) : {}),
    ...variable(n.sqsEndpoint, s.sqsEndpoint),
    ...variable(n.dynamodbEndpoint, s.dynamodbEndpoint),
    ...variable(n.queueUrl, s.queueUrl),
    ...variable(n.deadLetterQueueUrl, s.deadLetterQueueUrl),
    [n.aggregatesTable]: s.aggregatesTable,
    [n.changesIndex]: s.changesIndex,
    [n.deadLettersTable]: s.deadLettersTable,
  };
}
