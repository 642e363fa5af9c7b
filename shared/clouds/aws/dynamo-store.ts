/**
 * The DynamoDB `AggregateStore`: one item per slice, window or summary node (`document-codec.ts`), conditional writes
 * on the `revision` attribute, and two sparse GSIs instead of scans.
 *
 * - Changes: only slices carry `shard` (hash, N: a stable hash of the id modulo {@link CHANGE_SHARDS}) and
 *   `changeKey` (range, S: zero-padded `updatedAt`, `|`, id), so a change listing is a few `Query` calls whose
 *   results are in exactly the core's `(updatedAt, id)` order; sharding spreads write load over index partitions.
 * - Windows: only windows carry `seriesWindow` (hash, S) and `start` is the range key (N), so one series' windows
 *   of one size over a time range are one `Query` in `start` order, reading just those items. A split window's
 *   summary nodes carry neither index's attributes.
 *
 * Watermarks are items with id `~watermark~<source>` and no index attributes, so no index lists them.
 */
import {
  type AttributeValue,
  BatchGetItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import {
  type AggregateStore,
  type BackoffPolicy,
  backoff,
  type ChangeCursor,
  type ChangePage,
  type Clock,
  type Origin,
  type StoredDocument,
  ThrottledError,
  type Watermark,
  type WindowPage,
  type WindowRange,
  windowPage,
} from '../../core/index.ts';
import {
  asSlice,
  asWindow,
  checkItemSize,
  fromStored,
  type StoredFields,
  seriesWindowKey,
  toStored,
} from '../document-codec.ts';
import { forEachBounded } from '../for-each-bounded.ts';
import { changeKey, mergeShardPages, shardOf } from '../sharded-changes.ts';
import { systemClock } from '../system-clock.ts';
import { translateAwsError } from './dynamo-errors.ts';

export const CHANGE_SHARDS = 4;
/** The windows GSI's name unless given: the manifest and Terraform declare the same. */
export const DEFAULT_WINDOWS_INDEX = 'bySeriesWindow';
const BATCH_GET_LIMIT = 100;
/** `BatchGetItem` calls in flight at once for one `read`. */
const BATCH_GETS_AT_ONCE = 4;
/**
 * Calls of one `BatchGetItem` while DynamoDB leaves keys unprocessed (it does under load), and the wait between
 * them: 8 calls wait at most 2.6 s in all. When they run out, the read throws a `ThrottledError`, which the use
 * cases retry like any throttling (ingest's message comes back, sync reads its page again next run).
 */
export const UNPROCESSED_ATTEMPTS = 8;
const UNPROCESSED_BACKOFF: BackoffPolicy = { baseMs: 25, maxMs: 1_000 };

export interface DynamoStoreOptions {
  client: DynamoDBClient;
  table: string;
  changesIndex: string;
  windowsIndex?: string;
  /** Waits between retries of unprocessed keys; default the system clock. */
  clock?: Clock;
}

export class DynamoStore implements AggregateStore {
  readonly #client: DynamoDBClient;
  readonly #table: string;
  readonly #index: string;
  readonly #windowsIndex: string;
  readonly #clock: Clock;

  constructor(options: DynamoStoreOptions) {
    this.#client = options.client;
    this.#table = options.table;
    this.#index = options.changesIndex;
    this.#windowsIndex = options.windowsIndex ?? DEFAULT_WINDOWS_INDEX;
    this.#clock = options.clock ?? systemClock;
  }

  async read(ids: readonly string[]): Promise<Map<string, StoredDocument>> {
    const out = new Map<string, StoredDocument>();
    const batches: string[][] = [];
    for (let i = 0; i < ids.length; i += BATCH_GET_LIMIT) batches.push(ids.slice(i, i + BATCH_GET_LIMIT));
    // A batch of scattered ids reads thousands of slices and summary nodes: a few batches in flight at once.
    await forEachBounded(batches, BATCH_GETS_AT_ONCE, async (batch) => {
      for (const doc of await this.#batchGet(batch)) out.set(doc.id, doc);
    });
    return out;
  }

  /** One `BatchGetItem` of at most 100 ids, asking again for the keys DynamoDB left unprocessed. */
  async #batchGet(ids: readonly string[]): Promise<StoredDocument[]> {
    const docs: StoredDocument[] = [];
    let keys: Record<string, AttributeValue>[] = ids.map((id) => ({ id: { S: id } }));
    for (let attempt = 1; keys.length > 0; attempt++) {
      if (attempt > UNPROCESSED_ATTEMPTS) {
        throw new ThrottledError(
          `reading ${ids.length} documents from ${this.#table}: DynamoDB left ${keys.length} unprocessed after ` +
            `${UNPROCESSED_ATTEMPTS} attempts; the read is retried later`,
        );
      }
      if (attempt > 1) await backoff(this.#clock, attempt - 1, UNPROCESSED_BACKOFF, Math.random);
      const requested = keys;
      const result = await this.#call(
        () =>
          this.#client.send(
            new BatchGetItemCommand({
              RequestItems: { [this.#table]: { Keys: requested, ConsistentRead: true } },
            }),
          ),
        `reading ${requested.length} documents from ${this.#table}`,
      );
      for (const item of result.Responses?.[this.#table] ?? []) docs.push(fromItem(item));
      keys = result.UnprocessedKeys?.[this.#table]?.Keys ?? [];
    }
    return docs;
  }

  async write(doc: StoredDocument, expectedRevision: number): Promise<void> {
    const what = `writing document ${doc.id} at revision ${expectedRevision}`;
    const item = toItem(toStored(doc));
    checkItemSize(item, what);
    await this.#call(
      () =>
        this.#client.send(
          new PutItemCommand({
            TableName: this.#table,
            Item: item,
            ...(expectedRevision === 0
              ? { ConditionExpression: 'attribute_not_exists(id)' }
              : {
                  ConditionExpression: 'revision = :expected',
                  ExpressionAttributeValues: { ':expected': { N: String(expectedRevision) } },
                }),
          }),
        ),
      what,
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
        return {
          documents: (result.Items ?? []).map((item) => asSlice(fromItem(item))),
          more: result.LastEvaluatedKey !== undefined,
        };
      }),
    );
    return mergeShardPages(pages, limit);
  }

  async windows(range: WindowRange, limit: number): Promise<WindowPage> {
    if (range.from >= range.to) return { windows: [] };
    const result = await this.#call(
      () =>
        this.#client.send(
          new QueryCommand({
            TableName: this.#table,
            IndexName: this.#windowsIndex,
            KeyConditionExpression: 'seriesWindow = :sw AND #start BETWEEN :from AND :last',
            ExpressionAttributeNames: { '#start': 'start' },
            ExpressionAttributeValues: {
              ':sw': { S: seriesWindowKey(range.series, range.window) },
              ':from': { N: String(range.from) },
              // Starts are whole milliseconds, so [from, to) is BETWEEN from AND to − 1.
              ':last': { N: String(Math.ceil(range.to) - 1) },
            },
            Limit: limit,
          }),
        ),
      `reading the ${range.window} windows of ${range.series}`,
    );
    const windows = (result.Items ?? []).map((item) => asWindow(fromItem(item)));
    return windowPage(windows, result.LastEvaluatedKey !== undefined);
  }

  async readWatermark(source: Origin): Promise<Watermark | undefined> {
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
    const retry = item.wmRetry?.S ? (JSON.parse(item.wmRetry.S) as string[]) : [];
    return {
      updatedAt: Number(item.wmUpdatedAt.N),
      id: item.wmId.S,
      ...(retry.length ? { retry } : {}),
      ...(item.wmCheckedAt?.N ? { checkedAt: Number(item.wmCheckedAt.N) } : {}),
    };
  }

  async writeWatermark(source: Origin, cursor: Watermark): Promise<void> {
    await this.#call(
      () =>
        this.#client.send(
          new PutItemCommand({
            TableName: this.#table,
            Item: {
              id: { S: watermarkId(source) },
              wmUpdatedAt: { N: String(cursor.updatedAt) },
              wmId: { S: cursor.id },
              ...(cursor.retry?.length ? { wmRetry: { S: JSON.stringify(cursor.retry) } } : {}),
              ...(cursor.checkedAt === undefined ? {} : { wmCheckedAt: { N: String(cursor.checkedAt) } }),
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
      throw translateAwsError(error, what, this.#table);
    }
  }
}

function watermarkId(source: Origin): string {
  return `~watermark~${source}`;
}

type Item = Record<string, AttributeValue>;

/** DynamoDB's numbers span 1e-130 to 1e126 in magnitude; a double outside that is kept in `body` only. */
function nativeNumber(value: number | null): AttributeValue {
  const magnitude = Math.abs(value ?? Number.NaN);
  const fits = value === 0 || (magnitude >= 1e-130 && magnitude < 9.9e125);
  return value !== null && fits ? { N: String(value) } : { NULL: true };
}

function toItem(fields: StoredFields): Item {
  const common: Item = {
    id: { S: fields.id },
    kind: { S: fields.kind },
    series: { S: fields.series },
    window: { S: fields.window },
    start: { N: String(fields.start) },
    updatedAt: { N: String(fields.updatedAt) },
    revision: { N: String(fields.revision) },
    body: { S: fields.body },
  };
  if (fields.kind === 'slice') {
    return {
      ...common,
      slice: { N: String(fields.slice) },
      shard: { N: String(shardOf(fields.id, CHANGE_SHARDS)) },
      changeKey: { S: changeKey(fields.updatedAt, fields.id) },
    };
  }
  // A summary node: no index attribute, so neither the change index nor the range index lists it.
  if (fields.kind === 'node') return common;
  return {
    ...common,
    seriesWindow: { S: fields.seriesWindow },
    open: nativeNumber(fields.open),
    high: nativeNumber(fields.high),
    low: nativeNumber(fields.low),
    close: nativeNumber(fields.close),
    volume: nativeNumber(fields.volume),
    vwap: nativeNumber(fields.vwap),
    count: { N: String(fields.count) },
    exact: { BOOL: fields.exact },
  };
}

/** Only what `fromStored` reads: the key fields and `body` (native fields are for people and the index). */
function fromItem(item: Item): StoredDocument {
  return fromStored({
    id: item.id?.S ?? '',
    kind: item.kind?.S,
    series: item.series?.S ?? '',
    window: item.window?.S ?? '',
    start: Number(item.start?.N),
    slice: Number(item.slice?.N),
    updatedAt: Number(item.updatedAt?.N),
    revision: Number(item.revision?.N),
    body: item.body?.S ?? '{}',
  } as StoredFields);
}
