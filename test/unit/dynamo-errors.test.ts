/**
 * DynamoDB's failures at the edge (`shared/clouds/aws/dynamo-errors.ts`): the SDK's own exception classes and the
 * errors it throws when the network fails (made here by the real client against a refusing, resetting or silent
 * local endpoint) come out as the core's errors — a permanent refusal as `PermanentStoreError` with its reason and
 * a message that quotes DynamoDB and says what to do — and anything else passes through unchanged.
 */
import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  DynamoDBServiceException,
  GetItemCommand,
  ItemCollectionSizeLimitExceededException,
  ProvisionedThroughputExceededException,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { translateAwsError } from '../../shared/clouds/aws/dynamo-errors.ts';
import { ConflictError, ThrottledError, UnavailableError } from '../../shared/core/index.ts';
import {
  expectPermanent,
  refusingPort,
  resettingServer,
  silentServer,
  what,
} from '../helpers/store-errors.ts';

const translate = (error: unknown) => translateAwsError(error, what, 'tricloud-aggregates');

/** An AWS error the SDK deserialises from a `__type` it has no class for (ValidationException, AccessDenied…). */
function awsError(name: string, message: string, httpStatusCode = 400) {
  return new DynamoDBServiceException({ name, $fault: 'client', $metadata: { httpStatusCode }, message });
}

/** What the real client throws for one `GetItem` against `port` on this machine. */
async function failureAt(port: number, requestTimeout?: number): Promise<unknown> {
  const client = new DynamoDBClient({
    region: 'us-east-1',
    endpoint: `http://127.0.0.1:${port}`,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
    ...(requestTimeout ? { requestHandler: { requestTimeout, throwOnRequestTimeout: true } } : {}),
  });
  try {
    await client.send(new GetItemCommand({ TableName: 'tricloud-aggregates', Key: { id: { S: 'a' } } }));
    throw new Error('the request was answered');
  } catch (error) {
    return error;
  } finally {
    client.destroy();
  }
}

describe('DynamoDB errors', () => {
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

  it('map a lost condition to a conflict and throttling (by name or 429) to throttled', () => {
    const lost = new ConditionalCheckFailedException({
      message: 'The conditional request failed',
      $metadata: {},
    });
    expect(translate(lost)).toBeInstanceOf(ConflictError);
    const throttled = new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} });
    expect(translate(throttled)).toBeInstanceOf(ThrottledError);
    expect(translate(awsError('ThrottlingException', 'Rate exceeded'))).toBeInstanceOf(ThrottledError);
    expect(translate(awsError('SomethingNew', 'Too Many Requests', 429))).toBeInstanceOf(ThrottledError);
  });

  it('map a 5xx to unavailable', () => {
    expect(translate(awsError('InternalServerError', 'oops', 500))).toBeInstanceOf(UnavailableError);
    expect(translate(awsError('ServiceUnavailable', 'busy', 503))).toBeInstanceOf(UnavailableError);
  });

  it.each([
    ['refused', async () => failureAt(await refusingPort()), /ECONNREFUSED/],
    [
      'reset',
      async () => {
        const server = await resettingServer();
        return failureAt(server.port).finally(server.close);
      },
      /ECONNRESET/,
    ],
    [
      'timed out',
      async () => {
        const server = await silentServer();
        return failureAt(server.port, 200).finally(server.close);
      },
      /ETIMEDOUT/,
    ],
  ])('map the real client’s failure on a %s connection to unavailable', async (_, fail, code) => {
    const error = await fail();
    const translated = translate(error);
    expect(translated).toBeInstanceOf(UnavailableError);
    expect((translated as Error).message).toMatch(code);
    expect((translated as Error).cause).toBe(error);
  });

  it('pass anything else through unchanged', () => {
    const other = new Error('something new');
    expect(translate(other)).toBe(other);
    const unknownClientError = awsError(
      'SerializationException',
      'Start of structure or map found where not expected',
    );
    expect(translate(unknownClientError)).toBe(unknownClientError);
    expect(translate('not an error')).toBe('not an error');
  });
});
