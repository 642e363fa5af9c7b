/**
 * AWS SDK clients built from settings: the local stack's endpoints, or the real service when none is given. Their
 * credentials: static keys when given (the local stack, a developer), a role assumed with the platform's identity
 * token when the settings name one (GCP's and Azure's sync functions), else the SDK's default chain (Lambda's role).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { AwsCredentials, AwsWebIdentity } from '../settings.ts';
import { systemClock } from '../system-clock.ts';
import { identityTokenSource } from '../web-identity-tokens.ts';
import { type TemporaryCredentials, webIdentityCredentials } from './web-identity-credentials.ts';

export interface AwsConnection {
  region: string;
  credentials?: AwsCredentials;
  webIdentity?: AwsWebIdentity;
  sqsEndpoint?: string;
  dynamodbEndpoint?: string;
}

type Credentials = AwsCredentials | (() => Promise<TemporaryCredentials>);

/** The `credentials` option of a client, or none for the default chain. */
export function connectionCredentials(c: AwsConnection): { credentials?: Credentials } {
  if (c.webIdentity !== undefined) {
    const identity = c.webIdentity;
    return {
      credentials: webIdentityCredentials({
        roleArn: identity.roleArn,
        roleSessionName: `tricloud-${identity.tokenSource.platform}`,
        token: identityTokenSource(identity),
        region: c.region,
        ...(identity.stsEndpoint !== undefined ? { stsEndpoint: identity.stsEndpoint } : {}),
        clock: systemClock,
      }),
    };
  }
  return c.credentials ? { credentials: c.credentials } : {};
}

export function createDynamoClient(c: AwsConnection): DynamoDBClient {
  return new DynamoDBClient({
    region: c.region,
    ...(c.dynamodbEndpoint ? { endpoint: c.dynamodbEndpoint } : {}),
    ...connectionCredentials(c),
  });
}

export function createSqsClient(c: AwsConnection): SQSClient {
  return new SQSClient({
    region: c.region,
    ...(c.sqsEndpoint ? { endpoint: c.sqsEndpoint } : {}),
    ...connectionCredentials(c),
  });
}
