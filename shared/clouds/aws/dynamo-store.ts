/**
 * The DynamoDB `AggregateStore`: one item per window document, conditional writes on the `revision` attribute,
 * and changes listed through a sparse GSI instead of a scan.
 *
 * The GSI is keyed by `shard` (hash, N: a stable hash of the id modulo {@link CHANGE_SHARDS}) and `changeKey`
 * (range, S: zero-padded `updatedAt`, `|`, id), so a change listing is a few `Query` calls whose results are in
 * exactly the core's `(updatedAt, id)` order; sharding spreads write load over several index partitions.
 * Watermarks are items with id `~watermark~<source>` and no index attributes, so the index never lists them.
 */
import {
  BatchGetItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import type { AggregateStore, ChangeCursor, ChangePage, Origin, WindowDocument } from '../../core/index.ts';
import { changeKey, mergeShardPages, shardOf } from '../change-order.ts';
import { fromStored, toStored } from '../document-codec.ts';
import { translateAwsError } from './dynamo-errors.ts';

export const CHANGE_SHARDS = 4;
const BATCH_GET_LIMIT = 100;

export interface DynamoStoreOptions {
  client: DynamoDBClient;
  table: string;
  changesIndex: string;
}

export class DynamoStore implements AggregateStore {
  readonly #client: DynamoDBClient;
  readonly #table: string;
  readonly #index: string;

  constructor(options: DynamoStoreOptions) {
    this.#client = options.client;
    this.#table = options.table;
    this.#index = options.changesIndex;
  }

  async read(ids: readonly string[]): Promise<Map<string, WindowDocument>> {
    const out = new Map<string, WindowDocument>();
    for (let i = 0; i < ids.length; i += BATCH_GET_LIMIT) {
      let keys: Record<string, { S: string }>[] | undefined = ids
        .slice(i, i + BATCH_GET_LIMIT)
        .map((id) => ({ id: { S: id } }));
      // BatchGetItem may return some keys unprocessed under load; ask again for those until none are left.
      for (let attempt = 0; keys && keys.length > 0; attempt++) {
        if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(1_000, 20 * 2 ** attempt)));
        const result = await this.#call(
          () =>
            this.#client.send(
              new BatchGetItemCommand({
                RequestItems: { [this.#table]: { Keys: keys, ConsistentRead: true } },
              }),
            ),
          `reading ${keys.length} documents from ${this.#table}`,
        );
        for (const item of result.Responses?.[this.#table] ?? []) {
          const doc = fromItem(item);
          out.set(doc.id, doc);
        }
        keys = result.UnprocessedKeys?.[this.#table]?.Keys as typeof keys;
      }
    }
    return out;
  }

  async write(doc: WindowDocument, expectedRevision: number): Promise<void> {
    const stored = toStored(doc);
    await this.#call(
      () =>
        this.#client.send(
          new PutItemCommand({
            TableName: this.#table,
            Item: {
              id: { S: stored.id },
              series: { S: stored.series },
              window: { S: stored.window },
              start: { N: String(stored.start) },
              updatedAt: { N: String(stored.updatedAt) },
              revision: { N: String(stored.revision) },
              shard: { N: String(shardOf(stored.id, CHANGE_SHARDS)) },
              changeKey: { S: changeKey(stored.updatedAt, stored.id) },
              body: { S: stored.body },
            },
            ...(expectedRevision === 0
              ? { ConditionExpression: 'attribute_not_exists(id)' }
              : {
                  ConditionExpression: 'revision = :expected',
                  ExpressionAttributeValues: { ':expected': { N: String(expectedRevision) } },
                }),
          }),
        ),
      `writing document ${doc.id} at revision ${expectedRevision}`,
    );
  }

  async changes(since: ChangeCursor, limit: number): Promise<ChangePage> {
    const after = changeKey(since.updatedAt, since.id);
    const pages = await Promise.all(
      Array.from({ length: CHANGE_SHARDS }, async (_, shard) => {
        const result = await this.#call(
          () =>
            this.#client.send(
              new QueryCommand({
                TableName: this.#table,
                IndexName: this.#index,
                // `shard` is a DynamoDB reserved word, so it is named through a placeholder.
                KeyConditionExpression: '#shard = :shard AND changeKey > :after',
                ExpressionAttributeNames: { '#shard': 'shard' },
                ExpressionAttributeValues: { ':shard': { N: String(shard) }, ':after': { S: after } },
                Limit: limit,
              }),
            ),
          `listing changes of shard ${shard} in ${this.#table}`,
        );
        return { documents: (result.Items ?? []).map(fromItem), more: result.LastEvaluatedKey !== undefined };
      }),
    );
    return mergeShardPages(pages, limit);
  }

  async readWatermark(source: Origin): Promise<ChangeCursor | undefined> {
    const result = await this.#call(
      () =>
        this.#client.send(
          new GetItemCommand({
            TableName: this.#table,
            Key: { id: { S: watermarkId(source) } },
            ConsistentRead: true,
          }),
        ),
      `reading the ${source} watermark`,
    );
    const item = result.Item;
    if (!item?.wmUpdatedAt?.N || item.wmId?.S === undefined) return undefined;
    return { updatedAt: Number(item.wmUpdatedAt.N), id: item.wmId.S };
  }

  async writeWatermark(source: Origin, cursor: ChangeCursor): Promise<void> {
    await this.#call(
      () =>
        this.#client.send(
          new PutItemCommand({
            TableName: this.#table,
            Item: {
              id: { S: watermarkId(source) },
              wmUpdatedAt: { N: String(cursor.updatedAt) },
              wmId: { S: cursor.id },
            },
          }),
        ),
      `writing the ${source} watermark`,
    );
  }

  async #call<T>(fn: () => Promise<T>, what: string): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw translateAwsError(error, what);
    }
  }
}

function watermarkId(source: Origin): string {
  return `~watermark~${source}`;
}

type Item = Record<string, { S?: string; N?: string }>;

function fromItem(item: Item): WindowDocument {
  return fromStored({
    id: item.id?.S ?? '',
    series: item.series?.S ?? '',
    window: item.window?.S ?? '',
    start: Number(item.start?.N),
    updatedAt: Number(item.updatedAt?.N),
    revision: Number(item.revision?.N),
    body: item.body?.S ?? '{}',
  });
}
