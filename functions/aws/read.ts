/**
 * AWS read: a Lambda behind a Function URL with IAM auth (`AWS_IAM`), so only signed requests from principals
 * allowed `lambda:InvokeFunctionUrl` reach it. The URL's payload is API Gateway's v2 format.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { createAwsStores } from '../../shared/clouds/aws/aws-stores.ts';
import { readOwnStoreSettings } from '../../shared/config/environment.ts';
import { readRuntime } from '../read-runtime.ts';

const read = readRuntime('aws', () => createAwsStores(readOwnStoreSettings('aws').aws));

export async function handler(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  const query = event.queryStringParameters ?? {};
  const answer = await read({
    query: (name) => query[name],
    ...(event.headers?.['if-none-match'] ? { ifNoneMatch: event.headers['if-none-match'] } : {}),
  });
  return { statusCode: answer.status, headers: answer.headers, body: answer.body };
}
