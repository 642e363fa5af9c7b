/**
 * Error translation at the edge: each store's refusals, built as the SDKs build them (their own exception
 * classes, gRPC's status errors), come out as the core's errors — permanent refusals as `PermanentStoreError`
 * with the right reason and a message that quotes the store and says what to do.
 */
import {
  ConditionalCheckFailedException,
  DynamoDBServiceException,
  ItemCollectionSizeLimitExceededException,
  ProvisionedThroughputExceededException,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import { ErrorResponse } from '@azure/cosmos';
import { GrpcStatus } from '@google-cloud/firestore';
import { describe, expect, it } from 'vitest';
import { translateAwsError } from '../../shared/clouds/aws/dynamo-errors.ts';
import { translateAzureError } from '../../shared/clouds/azure/cosmos-errors.ts';
import { translateGcpError } from '../../shared/clouds/gcp/firestore-errors.ts';
import { NETWORK_ERROR_CODES, networkErrorCode } from '../../shared/clouds/network-errors.ts';
import {
  ConflictError,
  PermanentStoreError,
  ThrottledError,
  UnavailableError,
} from '../../shared/core/index.ts';

const what = 'writing document S|1m|0 at revision 0';

/** An AWS error the SDK deserialises from a `__type` it has no class for (ValidationException, AccessDenied…). */
function awsError(name: string, message: string, httpStatusCode = 400) {
  return new DynamoDBServiceException({ name, $fault: 'client', $metadata: { httpStatusCode }, message });
}

/** What grpc-js throws for a failed call: an Error with the status code and the server's details. */
function grpcError(code: GrpcStatus, details: string) {
  return Object.assign(new Error(`${code} ${GrpcStatus[code]}: ${details}`), { code, details });
}

function cosmosError(code: number | string, message = '', substatus?: number) {
  const error = new ErrorResponse(message);
  error.code = code;
  if (substatus !== undefined) error.substatus = substatus;
  return error;
}

function expectPermanent(error: unknown, reason: PermanentStoreError['reason'], ...words: RegExp[]) {
  expect(error).toBeInstanceOf(PermanentStoreError);
  const permanent = error as PermanentStoreError;
  expect(permanent.reason).toBe(reason);
  expect(permanent.message.startsWith(what)).toBe(true);
  // A full sentence, naming the store's own words and what to do.
  expect(permanent.message).toMatch(/\.$/);
  for (const word of words) expect(permanent.message).toMatch(word);
  expect(permanent.cause).toBeInstanceOf(Error);
}

describe('DynamoDB errors', () => {
  const translate = (error: unknown) => translateAwsError(error, what, 'tricloud-aggregates');

  it('name an item over the size limit too-large', () => {
    const error = awsError('ValidationException', 'Item size has exceeded the maximum allowed size');
    expectPermanent(translate(error), 'too-large', /Item size has exceeded/, /400 KB/);
    const collection = new ItemCollectionSizeLimitExceededException({ message: 'too big', $metadata: {} });
    expectPermanent(translate(collection), 'too-large');
  });

  it('name any other validation failure invalid', () => {
    const error = awsError('ValidationException', 'Type mismatch for key id expected: S actual: N');
    expectPermanent(translate(error), 'invalid', /Type mismatch/, /infra\/aws\/tables\.tf/);
  });

  it('name a missing table missing, with the table and how it is created', () => {
    const error = new ResourceNotFoundException({ message: 'Requested resource not found', $metadata: {} });
    expectPermanent(
      translate(error),
      'missing',
      /tricloud-aggregates/,
      /Requested resource not found/,
      /Terraform/,
    );
  });

  it.each([
    ['AccessDeniedException', 400],
    ['UnrecognizedClientException', 400],
    ['SomethingElse', 403],
  ])('name %s (HTTP %i) forbidden', (name, status) => {
    expectPermanent(translate(awsError(name, 'no', status)), 'forbidden', /iam\.tf/);
  });

  it('still map conflicts, throttling and unavailability to the retryable errors', () => {
    const lost = new ConditionalCheckFailedException({
      message: 'The conditional request failed',
      $metadata: {},
    });
    expect(translate(lost)).toBeInstanceOf(ConflictError);
    const throttled = new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} });
    expect(translate(throttled)).toBeInstanceOf(ThrottledError);
    expect(translate(awsError('InternalServerError', 'oops', 500))).toBeInstanceOf(UnavailableError);
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8000'), { code: 'ECONNREFUSED' });
    expect(translate(refused)).toBeInstanceOf(UnavailableError);
  });

  it('pass anything else through unchanged', () => {
    const other = new Error('something new');
    expect(translate(other)).toBe(other);
    expect(translate('not an error')).toBe('not an error');
  });
});

describe('Firestore errors', () => {
  const translate = (error: unknown) => translateGcpError(error, what);

  it('name a document over the size limit too-large, in real Firestore’s words and the emulator’s', () => {
    const real = grpcError(
      GrpcStatus.INVALID_ARGUMENT,
      "Document 'projects/p/databases/(default)/documents/a/b' cannot be written because its size (1,234,567 bytes) exceeds the maximum allowed size of 1,048,576 bytes.",
    );
    expectPermanent(translate(real), 'too-large', /exceeds the maximum allowed size/, /1 MiB/);
    const emulator = grpcError(
      GrpcStatus.INVALID_ARGUMENT,
      'The value of property "body" is longer than 1048487 bytes.',
    );
    expectPermanent(translate(emulator), 'too-large');
  });

  it('name any other invalid argument invalid', () => {
    const error = grpcError(
      GrpcStatus.INVALID_ARGUMENT,
      'Resource id "__x__" is invalid because it is reserved.',
    );
    expectPermanent(translate(error), 'invalid', /"Resource id "__x__" is invalid/);
  });

  it('name NOT_FOUND missing and say provisioning creates the database', () => {
    const error = grpcError(GrpcStatus.NOT_FOUND, 'The database (default) does not exist for project p');
    expectPermanent(translate(error), 'missing', /does not exist for project p/, /Terraform in infra\/gcp/);
  });

  it.each([GrpcStatus.PERMISSION_DENIED, GrpcStatus.UNAUTHENTICATED])('name status %i forbidden', (code) => {
    expectPermanent(
      translate(grpcError(code, 'Missing or insufficient permissions.')),
      'forbidden',
      /iam\.tf/,
    );
  });

  it('still map conflicts, throttling and unavailability to the retryable errors', () => {
    expect(translate(grpcError(GrpcStatus.FAILED_PRECONDITION, 'stored version'))).toBeInstanceOf(
      ConflictError,
    );
    expect(translate(grpcError(GrpcStatus.ALREADY_EXISTS, 'exists'))).toBeInstanceOf(ConflictError);
    expect(translate(grpcError(GrpcStatus.RESOURCE_EXHAUSTED, 'quota'))).toBeInstanceOf(ThrottledError);
    expect(translate(grpcError(GrpcStatus.UNAVAILABLE, 'No connection established'))).toBeInstanceOf(
      UnavailableError,
    );
    for (const code of ['ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH']) {
      expect(translate(Object.assign(new Error(code), { code }))).toBeInstanceOf(UnavailableError);
    }
  });
});

describe('Cosmos DB errors', () => {
  const translate = (error: unknown) => translateAzureError(error, what);

  it('name 413 too-large, 400 invalid, 404 missing and 401/403 forbidden', () => {
    expectPermanent(
      translate(cosmosError(413, 'Request size is too large')),
      'too-large',
      /Request size/,
      /2 MB/,
    );
    expectPermanent(translate(cosmosError(400, 'One of the specified inputs is invalid')), 'invalid', /\/id/);
    expectPermanent(translate(cosmosError(404)), 'missing', /404\)/, /Terraform in infra\/azure/);
    expectPermanent(translate(cosmosError(401, 'The input authorization token')), 'forbidden', /COSMOS_KEY/);
    expectPermanent(translate(cosmosError(403, 'Forbidden')), 'forbidden');
  });

  it('keep the transient sub-statuses of 403 and 404 retryable', () => {
    expect(translate(cosmosError(403, 'write forbidden during failover', 3))).toBeInstanceOf(
      UnavailableError,
    );
    expect(translate(cosmosError(404, 'read session not available', 1002))).toBeInstanceOf(UnavailableError);
  });

  it('still map conflicts, throttling and unavailability to the retryable errors', () => {
    expect(translate(cosmosError(412))).toBeInstanceOf(ConflictError);
    expect(translate(cosmosError(409))).toBeInstanceOf(ConflictError);
    expect(translate(cosmosError(429))).toBeInstanceOf(ThrottledError);
    expect(translate(cosmosError(503))).toBeInstanceOf(UnavailableError);
    expect(translate(cosmosError(408))).toBeInstanceOf(UnavailableError);
    expect(translate(cosmosError('ECONNREFUSED'))).toBeInstanceOf(UnavailableError);
  });
});

describe('network errors', () => {
  it('are one list for the three clouds, found on the error, its cause or an AggregateError’s errors', () => {
    for (const code of NETWORK_ERROR_CODES) {
      const error = Object.assign(new Error(code), { code });
      expect(translateAwsError(error, what)).toBeInstanceOf(UnavailableError);
      expect(translateGcpError(error, what)).toBeInstanceOf(UnavailableError);
      expect(translateAzureError(error, what)).toBeInstanceOf(UnavailableError);
    }
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    expect(networkErrorCode(new Error('fetch failed', { cause: refused }))).toBe('ECONNREFUSED');
    expect(networkErrorCode(new AggregateError([new Error('x'), refused]))).toBe('ECONNREFUSED');
    expect(networkErrorCode(new Error('not a network error'))).toBeUndefined();
  });
});
