/**
 * AWS SDK clients built from settings: the local stack's endpoints, or the real service when none is given. Their
 * credentials: static keys when given (the local stack, a developer), a role assumed with the platform's identity
 * token when the settings name one (GCP's and Azure's sync functions), else the SDK's default chain (Lambda's role).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { AwsCredentials, AwsWebIdentity } from '../settings.ts';
import type { TemporaryCredentials } from './web-identity-credentials.ts';

export interface AwsConnection {
  region: string;
  credentials?: AwsCredentials;
  webIdentity?: AwsWebIdentity;
  sqsEndpoint?: string;
  dynamodbEndpoint?: string;
}

type CredentialProvider = () => Promise<TemporaryCredentials>;

/**
 * The role's credentials, with the provider and the token sources imported on first use: only GCP's and Azure's
 * sync need them, so the other functions never run them.
 */
function federatedCredentials(region: string, identity: AwsWebIdentity): CredentialProvider {
  let provider: Promise<CredentialProvider> | undefined;
  const load = async (): Promise<CredentialProvider> => {
    const [{ webIdentityCredentials }, { identityTokenSource }, { systemClock }] = await Promise.all([
      import('./web-identity-credentials.ts'),
      import('../web-identity-tokens.ts'),
      import('../system-clock.ts'),
    ]);
    return webIdentityCredentials({
      roleArn: identity.roleArn,
      roleSessionName: `tricloud-${identity.tokenSource.platform}`,
      token: identityTokenSource(identity),
      region,
      ...(identity.stsEndpoint !== undefined ? { stsEndpoint: identity.stsEndpoint } : {}),
      clock: systemClock,
    });
  };
  return async () => {
    provider ??= load();
    return (await provider)();
  };
}

/** The `credentials` option of a client, or none for the default chain. */
export function connectionCredentials(c: AwsConnection): {
  credentials?: AwsCredentials | CredentialProvider;
} {
  if (c.webIdentity !== undefined) return { credentials: federatedCredentials(c.region, c.webIdentity) };
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
