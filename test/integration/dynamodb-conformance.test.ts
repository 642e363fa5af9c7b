/**
 * DynamoDB conformance: the conditional writes the store adapter's optimistic concurrency relies on, and the
 * changes index sync queries, through the official SDK (dynalite by default). Items use keys and a shard no other
 * test uses, so suites share the provisioned table safely.
 */

import {
  type AttributeValue,
  ConditionalCheckFailedException,
  DescribeTableCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitUntil } from '../../scripts/machine/wait-until.ts';
import { changeKey } from '../../shared/clouds/sharded-changes.ts';
import type { AwsSettings } from '../../shared/config/environment.ts';
import { awsSettings, dynamoClient, uniqueName } from '../setup/cloud-clients.ts';

let dynamo: DynamoDBClient;
let aws: AwsSettings;

beforeAll(() => {
  aws = awsSettings();
  dynamo = dynamoClient(aws);
});

afterAll(() => dynamo.destroy());

/** `shard` is a DynamoDB reserved word: expressions must name it through a placeholder. */
const shardName = { '#shard': 'shard' };

/** A shard number of its own per test: the index query then sees only that test's items. */
function privateShard(): number {
  return 1_000_000 + Math.floor(Math.random() * 1_000_000_000);
}

describe('the provisioned aggregates table', () => {
  it('has the changes index: hash shard (N), range changeKey (S), all attributes projected', async () => {
    const { Table } = await dynamo.send(new DescribeTableCommand({ TableName: aws.aggregatesTable }));

    const index = Table?.GlobalSecondaryIndexes?.find((i) => i.IndexName === aws.changesIndex);
    expect(index?.KeySchema).toEqual([
      { AttributeName: 'shard', KeyType: 'HASH' },
      { AttributeName: 'changeKey', KeyType: 'RANGE' },
    ]);
    expect(index?.Projection?.ProjectionType).toBe('ALL');
    expect(Table?.KeySchema).toEqual([{ AttributeName: 'id', KeyType: 'HASH' }]);
  });
});

describe('conditional writes', () => {
  it('refuse to create a document that exists', async () => {
    const id = uniqueName('doc');
    const create = () =>
      dynamo.send(
        new PutItemCommand({
          TableName: aws.aggregatesTable,
          Item: { id: { S: id }, rev: { N: '1' } },
          ConditionExpression: 'attribute_not_exists(id)',
        }),
      );
    await create();

    await expect(create()).rejects.toBeInstanceOf(ConditionalCheckFailedException);
  });

  it('let exactly one of two writers holding the same revision win', async () => {
    const id = uniqueName('doc');
    await dynamo.send(
      new PutItemCommand({
        TableName: aws.aggregatesTable,
        Item: { id: { S: id }, rev: { N: '1' }, v: { S: 'a' } },
      }),
    );
    const writeIfRevision = (expected: number, value: string) =>
      dynamo.send(
        new UpdateItemCommand({
          TableName: aws.aggregatesTable,
          Key: { id: { S: id } },
          UpdateExpression: 'SET rev = :next, v = :v',
          ConditionExpression: 'rev = :expected',
          ExpressionAttributeValues: {
            ':expected': { N: String(expected) },
            ':next': { N: String(expected + 1) },
            ':v': { S: value },
          },
        }),
      );

    const results = await Promise.allSettled([writeIfRevision(1, 'b'), writeIfRevision(1, 'c')]);

    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(lost[0]?.reason).toBeInstanceOf(ConditionalCheckFailedException);
    const { Item } = await dynamo.send(
      new GetItemCommand({ TableName: aws.aggregatesTable, Key: { id: { S: id } }, ConsistentRead: true }),
    );
    expect(Item?.rev).toEqual({ N: '2' });
  });
});

describe('the changes index', () => {
  it('lists one shard’s documents changed after a watermark, oldest first, without a scan', async () => {
    const shard = privateShard();
    const times = [5_000, 1_000, 3_000, 2_000, 4_000];
    for (const [i, updatedAt] of times.entries()) {
      const id = uniqueName(`doc${i}`);
      await dynamo.send(
        new PutItemCommand({
          TableName: aws.aggregatesTable,
          Item: {
            id: { S: id },
            shard: { N: String(shard) },
            changeKey: { S: changeKey(updatedAt, id) },
            updatedAt: { N: String(updatedAt) },
            payload: { S: `p${updatedAt}` },
          },
        }),
      );
    }

    // Index reads are eventually consistent in DynamoDB: poll until all the writes show.
    const items = await waitUntil(
      async () => {
        const { Items } = await dynamo.send(
          new QueryCommand({
            TableName: aws.aggregatesTable,
            IndexName: aws.changesIndex,
            KeyConditionExpression: '#shard = :shard AND changeKey > :watermark',
            ExpressionAttributeNames: shardName,
            ExpressionAttributeValues: {
              ':shard': { N: String(shard) },
              ':watermark': { S: changeKey(2_001, '') },
            },
          }),
        );
        return Items !== undefined && Items.length === 3 ? Items : undefined;
      },
      { description: 'the index to show the changed documents', timeoutMs: 30_000 },
    );

    expect(items.map((item) => Number(item.updatedAt?.N))).toEqual([3_000, 4_000, 5_000]);
    expect(items.map((item) => item.payload?.S)).toEqual(['p3000', 'p4000', 'p5000']);
  });

  it('pages a shard with a limit and an exclusive start key', async () => {
    const shard = privateShard();
    for (let t = 1; t <= 5; t++) {
      const id = uniqueName(`page${t}`);
      await dynamo.send(
        new PutItemCommand({
          TableName: aws.aggregatesTable,
          Item: {
            id: { S: id },
            shard: { N: String(shard) },
            changeKey: { S: changeKey(t, id) },
            updatedAt: { N: String(t) },
          },
        }),
      );
    }
    const query = (limit?: number, startKey?: Record<string, AttributeValue>) =>
      dynamo.send(
        new QueryCommand({
          TableName: aws.aggregatesTable,
          IndexName: aws.changesIndex,
          KeyConditionExpression: '#shard = :shard',
          ExpressionAttributeNames: shardName,
          ExpressionAttributeValues: { ':shard': { N: String(shard) } },
          ...(limit !== undefined ? { Limit: limit } : {}),
          ...(startKey !== undefined ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
    await waitUntil(async () => ((await query()).Count === 5 ? true : undefined), {
      description: 'the index to show all five documents',
      timeoutMs: 30_000,
    });

    const seen: number[] = [];
    let pages = 0;
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const page = await query(2, startKey);
      pages++;
      seen.push(...(page.Items ?? []).map((item) => Number(item.updatedAt?.N)));
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);

    expect(seen).toEqual([1, 2, 3, 4, 5]);
    expect(pages).toBeGreaterThanOrEqual(3);
  });
});

describe('transactions', () => {
  it('are what the local server lacks: the adapter must use conditional writes (dynalite has no TransactWriteItems)', async () => {
    const live = awsSettings().dynamodbEndpoint === undefined;
    const transact = dynamo.send(
      new TransactWriteItemsCommand({
        TransactItems: [{ Put: { TableName: aws.aggregatesTable, Item: { id: { S: uniqueName('tx') } } } }],
      }),
    );

    if (live) await expect(transact).resolves.toBeDefined();
    else await expect(transact).rejects.toThrow();
  });
});
