/**
 * Cosmos DB's failures at the edge (`shared/clouds/azure/cosmos-errors.ts`): the SDK's `ErrorResponse`s and the
 * errors it throws when the network fails (made here by the real client against a refusing or silent local
 * endpoint) come out as the core's errors — a permanent refusal as `PermanentStoreError` with its reason and a
 * message that quotes Cosmos DB and says what to do — and anything else passes through unchanged.
 */
import { CosmosClient, ErrorResponse } from '@azure/cosmos';
import { describe, expect, it } from 'vitest';
import { translateAzureError } from '../../shared/clouds/azure/cosmos-errors.ts';
import { ConflictError, ThrottledError, UnavailableError } from '../../shared/core/index.ts';
import { expectPermanent, refusingPort, silentServer, what } from '../helpers/store-errors.ts';

const translate = (error: unknown) => translateAzureError(error, what);

function cosmosError(code: number | string, message = '', substatus?: number) {
  const error = new ErrorResponse(message);
  error.code = code;
  if (substatus !== undefined) error.substatus = substatus;
  return error;
}

/** The local emulator's well-known key: any key does for a server that never checks it. */
const KEY = 'C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==';

/** What the real client throws for one create against `port` on this machine, with the SDK's retries off. */
async function failureAt(port: number, requestTimeout?: number): Promise<unknown> {
  const client = new CosmosClient({
    endpoint: `http://127.0.0.1:${port}`,
    key: KEY,
    connectionPolicy: {
      enableEndpointDiscovery: false,
      retryOptions: { maxRetryAttemptCount: 0, fixedRetryIntervalInMilliseconds: 0, maxWaitTimeInSeconds: 1 },
      ...(requestTimeout ? { requestTimeout } : {}),
    },
  });
  try {
    await client.database('tricloud').container('aggregates').items.create({ id: 'a' });
    throw new Error('the request was answered');
  } catch (error) {
    return error;
  } finally {
    client.dispose();
  }
}

describe('Cosmos DB errors', () => {
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

  it('map 409 and 412 to a conflict, 429 to throttled, 5xx and 408 to unavailable', () => {
    expect(translate(cosmosError(412))).toBeInstanceOf(ConflictError);
    expect(translate(cosmosError(409))).toBeInstanceOf(ConflictError);
    expect(translate(cosmosError(429))).toBeInstanceOf(ThrottledError);
    expect(translate(cosmosError(503))).toBeInstanceOf(UnavailableError);
    expect(translate(cosmosError(500))).toBeInstanceOf(UnavailableError);
    expect(translate(cosmosError(408))).toBeInstanceOf(UnavailableError);
  });

  it.each([
    ['refused', async () => failureAt(await refusingPort()), /ECONNREFUSED/],
    [
      'timed out',
      async () => {
        const server = await silentServer();
        return failureAt(server.port, 200).finally(server.close);
      },
      /TimeoutError/,
    ],
  ])('map the real client’s failure on a %s connection to unavailable', async (_, fail, code) => {
    const error = await fail();
    const translated = translate(error);
    expect(translated).toBeInstanceOf(UnavailableError);
    expect((translated as Error).message).toMatch(code);
    expect((translated as Error).cause).toBe(error);
  });

  it('map a reset connection, as the client reports it after its own retries, to unavailable', () => {
    // What the client threw after 10 s of retrying a server that reset every connection: too slow for a unit test
    // to provoke, so its shape (a RestError whose code is the socket's) is kept here.
    const reset = Object.assign(new Error('read ECONNRESET'), { name: 'RestError', code: 'ECONNRESET' });
    expect(translate(reset)).toBeInstanceOf(UnavailableError);
  });

  it('pass anything else through unchanged', () => {
    const retryWith = cosmosError(449, 'Retry with');
    expect(translate(retryWith)).toBe(retryWith);
    const other = new TypeError('Cannot read properties of undefined');
    expect(translate(other)).toBe(other);
    expect(translate(null)).toBeNull();
  });
});
