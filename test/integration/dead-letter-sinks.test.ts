/**
 * Bounded dead-letter work (issue 15), on the local stack: 20,000 letters, some with 1 MB multi-byte payloads and
 * 100 KB reasons, put at once into each cloud's dead-letter sink. Every one is stored, cut to the item limit where
 * it had to be, and the process's memory stays bounded while the sink writes them.
 */
import { BatchWriteItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { createAwsStores } from '../../shared/clouds/aws/aws-stores.ts';
import { createDynamoClient } from '../../shared/clouds/aws/clients.ts';
import { createAzureStores } from '../../shared/clouds/azure/azure-stores.ts';
import type { CosmosDeadLetters } from '../../shared/clouds/azure/cosmos-dead-letters.ts';
import {
  type DeadLetterItem,
  MAX_ITEM_BYTES,
  MAX_REASON_BYTES,
} from '../../shared/clouds/dead-letter-item.ts';
import { createFirestore } from '../../shared/clouds/gcp/firestore-client.ts';
import { createGcpStores } from '../../shared/clouds/gcp/gcp-stores.ts';
import {
  readAwsStoreSettings,
  readAzureStoreSettings,
  readGcpStoreSettings,
} from '../../shared/config/environment.ts';
import type { DeadLetter, Origin } from '../../shared/core/index.ts';
import { type DeadLetterReader, useStackEnv } from '../helpers/cloud-harness.ts';
import { eventually } from '../helpers/eventually.ts';

const LETTERS = 20_000;
/** Every this many letters, one has a 1 MB payload of three-byte characters and a 100 KB reason. */
const BIG_EVERY = 250;
const BIG_PAYLOAD = `["${'€'.repeat(333_333)}"]`;
const BIG_REASON = `the row is unreadable: ${'é'.repeat(50_000)}`;
/**
 * How much the test process's resident memory may grow while a sink writes the 20,000 letters (about 28 MB of
 * payload once cut). Measured: DynamoDB and Firestore +17-58 MB; Cosmos DB, written in bulk requests, less than
 * that (point upserts cost +220-290 MB: the local Cosmos server closes the connection after every answer, so each
 * paid a TLS handshake whose native memory the garbage collector frees late). Writing every letter at once
 * (issue 15) took 8 GB and ran out of file descriptors.
 */
const MAX_RSS_GROWTH: Record<Origin, number> = {
  aws: 160 * 2 ** 20,
  gcp: 160 * 2 ** 20,
  azure: 640 * 2 ** 20,
};

interface Sink {
  deadLetters: DeadLetterReader;
  close(): void | Promise<void>;
}

function sinkOf(origin: Origin): Sink {
  const env = useStackEnv();
  switch (origin) {
    case 'aws':
      return createAwsStores(readAwsStoreSettings(env));
    case 'gcp':
      return createGcpStores(readGcpStoreSettings(env));
    case 'azure':
      return createAzureStores(readAzureStoreSettings(env));
  }
}

/** Ids with '/' and '#', which Firestore and Cosmos DB keep only URI-encoded. */
function letters(origin: Origin, run: string): DeadLetter[] {
  return Array.from({ length: LETTERS }, (_, i) => {
    const big = i % BIG_EVERY === 0;
    const messageId = `${run}/m${Math.floor(i / 100)}`;
    return {
      id: `${messageId}#${i % 100}`,
      origin,
      messageId,
      batchId: run,
      row: i % 100,
      reason: big ? BIG_REASON : `qty must be ≥ 0 (row ${i})`,
      payload: big ? BIG_PAYLOAD : `["BTCUSDT",${i},1700000000000,1,-1]`,
      at: 1_700_000_000_000,
    };
  });
}

/** Samples the process's resident memory until stopped; returns the largest growth over the start. */
function watchRss(): () => number {
  const start = process.memoryUsage.rss();
  let most = start;
  const timer = setInterval(() => {
    most = Math.max(most, process.memoryUsage.rss());
  }, 20);
  return () => {
    clearInterval(timer);
    return Math.max(most, process.memoryUsage.rss()) - start;
  };
}

/** What went wrong with a stored letter, or undefined when it is as it should be. */
function problem(item: DeadLetterItem): string | undefined {
  // The letter's index back from its id, `<run>/m<i / 100>#<i % 100>`.
  const index = Number(item.messageId.split('/m').at(-1)) * 100 + (item.row ?? Number.NaN);
  const big = index % BIG_EVERY === 0;
  const bytes = Buffer.byteLength(JSON.stringify(item), 'utf8');
  if (bytes > MAX_ITEM_BYTES) return `${item.id} takes ${bytes} bytes`;
  if (!big) return item.payloadTruncated ? `${item.id} was cut` : undefined;
  if (!item.payloadTruncated || item.payloadLength !== Buffer.byteLength(BIG_PAYLOAD, 'utf8')) {
    return `${item.id} does not say it was cut from ${Buffer.byteLength(BIG_PAYLOAD, 'utf8')} bytes`;
  }
  if (!BIG_PAYLOAD.startsWith(item.payload) || item.payload.length < 100_000)
    return `${item.id}: wrong payload`;
  if (!item.reason.endsWith('…') || Buffer.byteLength(item.reason, 'utf8') > MAX_REASON_BYTES) {
    return `${item.id}: reason not cut to ${MAX_REASON_BYTES} bytes`;
  }
  return undefined;
}

/** Lists the sink, keeping only this run's ids and what is wrong with them. */
async function stored(
  sink: DeadLetterReader,
  run: string,
): Promise<{ ids: Set<string>; problems: string[] }> {
  const ids = new Set<string>();
  const problems: string[] = [];
  for await (const item of sink.list()) {
    if (!item.id.startsWith(`${run}/`)) continue;
    ids.add(item.id);
    const wrong = problem(item);
    if (wrong !== undefined && problems.length < 5) problems.push(wrong);
  }
  return { ids, problems };
}

/** Deletes this test's letters with each store's own batch delete. */
async function removeLetters(origin: Origin, sink: Sink, ids: string[]): Promise<void> {
  const env = useStackEnv();
  if (origin === 'azure') return (sink.deadLetters as CosmosDeadLetters).remove(ids);
  if (origin === 'aws') {
    const settings = readAwsStoreSettings(env);
    const dynamo = createDynamoClient(settings);
    for (let i = 0; i < ids.length; i += 25) {
      const deletes = ids.slice(i, i + 25).map((id) => ({ DeleteRequest: { Key: { id: { S: id } } } }));
      let unprocessed = await dynamo.send(
        new BatchWriteItemCommand({ RequestItems: { [settings.deadLettersTable]: deletes } }),
      );
      while (Object.keys(unprocessed.UnprocessedItems ?? {}).length > 0) {
        unprocessed = await dynamo.send(
          new BatchWriteItemCommand({ RequestItems: unprocessed.UnprocessedItems }),
        );
      }
    }
    dynamo.destroy();
    return;
  }
  const settings = readGcpStoreSettings(env);
  const firestore = createFirestore(settings);
  const writer = firestore.bulkWriter();
  for (const id of ids)
    void writer.delete(firestore.collection(settings.deadLettersCollection).doc(encodeURIComponent(id)));
  await writer.close();
  await firestore.terminate();
}

describe('dead-letter sinks take any number of letters, bounded', () => {
  const opened: Sink[] = [];
  afterAll(async () => {
    for (const sink of opened) await sink.close();
  });

  it.each(['aws', 'gcp', 'azure'] as const)(
    '%s stores 20,000 letters, big ones cut, with bounded memory',
    async (origin) => {
      const sink = sinkOf(origin);
      opened.push(sink);
      const run = `dls-${origin}-${Date.now().toString(36)}`;
      const input = letters(origin, run);

      const rssGrowth = watchRss();
      const started = performance.now();
      await sink.deadLetters.put(input);
      const seconds = (performance.now() - started) / 1_000;
      const growth = rssGrowth();

      const readStarted = performance.now();
      const { ids, problems } = await eventually(
        () => stored(sink.deadLetters, run),
        (seen) => seen.ids.size === LETTERS,
        { what: `${origin}'s ${LETTERS} dead letters`, timeoutMs: 120_000, intervalMs: 500 },
      );
      console.info(
        `${origin}: ${LETTERS} letters in ${seconds.toFixed(1)} s (${Math.round(LETTERS / seconds)}/s), ` +
          `rss +${Math.round(growth / 2 ** 20)} MB; read back in ${((performance.now() - readStarted) / 1_000).toFixed(1)} s`,
      );
      expect(problems).toEqual([]);
      expect([...ids].sort()).toEqual(input.map((l) => l.id).sort());
      expect(growth).toBeLessThan(MAX_RSS_GROWTH[origin]);
      // The local servers scan for every listing: 20,000 letters left in the shared dead-letter stores would make
      // each later listing (tricloud status, dead-letters list) of the suite take tens of seconds.
      await removeLetters(origin, sink, [...ids]);
    },
    600_000,
  );
});
