/**
 * Translates DynamoDB's failures into the core's errors at the edge; everything else passes through unchanged.
 * A refusal that retrying cannot change (an item too large, an invalid request, a missing table, denied access)
 * becomes a {@link PermanentStoreError} whose message quotes DynamoDB and says what to do.
 */
import { ConflictError, PermanentStoreError, ThrottledError, UnavailableError } from '../../core/index.ts';
import { networkErrorCode } from '../network-errors.ts';

const THROTTLING = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'LimitExceededException',
]);
const FORBIDDEN = new Set([
  'AccessDeniedException',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'MissingAuthenticationTokenException',
]);

/** `table`, when the caller knows it, is named in the message of a missing table or denied access. */
export function translateAwsError(error: unknown, what: string, table?: string): unknown {
  if (!(error instanceof Error)) return error;
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  if (error.name === 'ConditionalCheckFailedException') {
    return new ConflictError(`${what}: another writer changed the item first`, { cause: error });
  }
  if (THROTTLING.has(error.name) || status === 429) {
    return new ThrottledError(`${what}: throttled by DynamoDB (${error.name})`, {
      cause: error,
    });
  }
  const permanent = permanentAwsError(error, status, what, table);
  if (permanent) return permanent;
  const network = networkErrorCode(error);
  if ((status !== undefined && status >= 500) || network) {
    return new UnavailableError(`${what}: DynamoDB is unavailable (${network ?? error.name})`, {
      cause: error,
    });
  }
  return error;
}

function permanentAwsError(
  error: Error,
  status: number | undefined,
  what: string,
  table: string | undefined,
): PermanentStoreError | undefined {
  const says = `${error.name}: "${error.message}"`;
  const theTable = table === undefined ? 'the table' : `table ${table}`;
  if (
    error.name === 'ItemCollectionSizeLimitExceededException' ||
    (error.name === 'ValidationException' && /size has exceeded|too large/i.test(error.message))
  ) {
    return new PermanentStoreError(
      'too-large',
      `${what}: DynamoDB refused the item as too large (${says}). An item holds at most 400 KB, so retrying can never store it: the message takes the dead-letter path with this reason. Items are meant to stay well below the limit, so report it with the id.`,
      { cause: error },
    );
  }
  if (error.name === 'ValidationException') {
    return new PermanentStoreError(
      'invalid',
      `${what}: DynamoDB rejected the request as invalid (${says}). Retrying cannot change that; check that ${theTable} has the key schema infra/aws/tables.tf gives it.`,
      { cause: error },
    );
  }
  if (error.name === 'ResourceNotFoundException') {
    return new PermanentStoreError(
      'missing',
      `${what}: DynamoDB says ${theTable} does not exist (${says}). Provisioning creates it (\`tricloud stack up\` locally, Terraform in infra/aws for AWS); otherwise fix the table name (TRICLOUD_DYNAMODB_AGGREGATES_TABLE, TRICLOUD_DYNAMODB_DEAD_LETTERS_TABLE).`,
      { cause: error },
    );
  }
  if (FORBIDDEN.has(error.name) || status === 403) {
    return new PermanentStoreError(
      'forbidden',
      `${what}: DynamoDB refused access to ${theTable} (${says}). Give the function's role permission on it (infra/aws/iam.tf) or fix the AWS credentials and region.`,
      { cause: error },
    );
  }
  return undefined;
}
