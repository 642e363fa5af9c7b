/** AWS SDK clients built from settings: the local stack's endpoints, or the real service when none is given. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { AwsCredentials } from '../settings.ts';

export interface AwsConnection {
  region: string;
  credentials?: AwsCredentials;
  sqsEndpoint?: string;
  dynamodbEndpoint?: string;
}

export function createDynamoClient(c: AwsConnection): DynamoDBClient {
  return new DynamoDBClient({
    region: c.region,
    ...(c.dynamodbEndpoint ? { endpoint: c.dynamodbEndpoint } : {}),
    ...(c.credentials ? { credentials: c.credentials } : {}),
  });
}

export function createSqsClient(c: AwsConnection): SQSClient {
  return new SQSClient({
    region: c.region,
    ...(c.sqsEndpoint ? { endpoint: c.sqsEndpoint } : {}),
    ...(c.credentials ? { credentials: c.credentials } : {}),
  });
}
