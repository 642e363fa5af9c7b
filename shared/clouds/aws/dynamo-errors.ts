/** Translates DynamoDB's failures into the core's errors at the edge; everything else passes through unchanged. */
import { ConflictError, ThrottledError, UnavailableError } from '../../core/index.ts';

const THROTTLING = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'LimitExceededException',
]);
const NETWORK = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN']);

export function translateAwsError(error: unknown, what: string): unknown {
  if (!(error instanceof Error)) return error;
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  const code = (error as { code?: string }).code;
  if (error.name === 'ConditionalCheckFailedException') {
    return new ConflictError(`${what}: another writer changed the item first`, { cause: error });
  }
  if (THROTTLING.has(error.name) || status === 429) {
    return new ThrottledError(`${what}: throttled by DynamoDB (${error.name})`, {
      cause: error,
    });
  }
  if ((status !== undefined && status >= 500) || NETWORK.has(code ?? '') || error.name === 'TimeoutError') {
    return new UnavailableError(`${what}: DynamoDB is unavailable (${code ?? error.name})`, {
      cause: error,
    });
  }
  return error;
}
