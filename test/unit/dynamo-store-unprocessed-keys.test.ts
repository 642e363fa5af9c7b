/**
 * DynamoDB leaves keys of a `BatchGetItem` unprocessed under load; `DynamoStore.read` asks again for them with the
 * core's backoff, a bounded number of times, then throws a `ThrottledError` the use cases retry like any
 * throttling. The real client talks to a local endpoint that answers `BatchGetItem` as a loaded table would.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import { DynamoStore, UNPROCESSED_ATTEMPTS } from '../../shared/clouds/aws/dynamo-store.ts';
import { type Clock, isTransient, ThrottledError } from '../../shared/core/index.ts';

const TABLE = 'aggregates';
type Key = { id: { S: string } };

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/**
 * A DynamoDB endpoint whose `BatchGetItem` finds none of the keys and leaves `unprocessed(keys, call)` of them for
 * later, recording the keys of each call. The store is built on the real client pointed at it.
 */
async function loadedTable(unprocessed: (keys: Key[], call: number) => Key[]) {
  const calls: string[][] = [];
  const server = http.createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      const keys: Key[] = JSON.parse(body).RequestItems[TABLE].Keys;
      calls.push(keys.map((k) => k.id.S));
      const left = unprocessed(keys, calls.length);
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
      response.end(
        JSON.stringify({
          Responses: { [TABLE]: [] },
          UnprocessedKeys: left.length ? { [TABLE]: { Keys: left, ConsistentRead: true } } : {},
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const client = new DynamoDBClient({
    region: 'us-east-1',
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  closers.push(async () => {
    client.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
  const waits: number[] = [];
  const clock: Clock = { now: () => 0, sleep: async (ms) => void waits.push(ms) };
  const store = new DynamoStore({ client, table: TABLE, changesIndex: 'byUpdatedAt', clock });
  return { store, calls, waits };
}

describe('DynamoStore.read under load', () => {
  it('asks again for the keys left unprocessed, and only for those', async () => {
    const { store, calls, waits } = await loadedTable((keys, call) => (call === 1 ? keys.slice(1) : []));

    const found = await store.read(['a', 'b', 'c']);

    expect(found.size).toBe(0);
    expect(calls).toEqual([
      ['a', 'b', 'c'],
      ['b', 'c'],
    ]);
    expect(waits).toHaveLength(1);
  });

  it(`gives up after ${UNPROCESSED_ATTEMPTS} calls with a ThrottledError, waiting the core's backoff in between`, async () => {
    const { store, calls, waits } = await loadedTable((keys) => keys);

    const error = await store.read(['a', 'b']).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ThrottledError);
    expect(isTransient(error)).toBe(true);
    expect((error as Error).message).toMatch(
      new RegExp(
        `DynamoDB left 2 unprocessed after ${UNPROCESSED_ATTEMPTS} attempts; the read is retried later`,
      ),
    );
    expect(calls).toHaveLength(UNPROCESSED_ATTEMPTS);
    expect(waits).toHaveLength(UNPROCESSED_ATTEMPTS - 1);
    // Full jitter under a doubling ceiling of 25 ms, capped at 1 s.
    waits.forEach((ms, i) => {
      expect(ms).toBeGreaterThanOrEqual(0);
      expect(ms).toBeLessThan(Math.min(1_000, 25 * 2 ** i));
    });
  });
});
