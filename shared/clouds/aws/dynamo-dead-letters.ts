/**
 * The AWS dead-letter place: the dead-letters table, one item per letter, keyed by the letter's stable id. Letters
 * go in `BatchWriteItem` calls of at most 25 items (and far below 16 MB: an item is at most 350 KB), a few calls in
 * flight; items DynamoDB leaves unprocessed are written again after the core's backoff (`retry.ts`: capped
 * doubling, full jitter, on the injected clock), a bounded number of times, then the call fails as throttled.
 */
import {
  type AttributeValue,
  BatchWriteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  ScanCommand,
  type ScanCommandOutput,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import {
  type BackoffPolicy,
  backoff,
  type Clock,
  type DeadLetter,
  type DeadLetterSink,
  ThrottledError,
} from '../../core/index.ts';
import {
  type DeadLetterItem,
  type DeadLetterListOptions,
  type DeadLetterReader,
  deadLetterBatches,
} from '../dead-letter-item.ts';
import { forEachBounded } from '../for-each-bounded.ts';
import { systemClock } from '../system-clock.ts';
import { translateAwsError } from './dynamo-errors.ts';

/** DynamoDB's limits on one `BatchWriteItem`: 25 put requests, 16 MB (kept well below). */
const BATCH_LIMITS = { maxItems: 25, maxBytes: 12_000_000 };
/** `BatchWriteItem` calls in flight at once. */
const CONCURRENCY = 4;

/**
 * How items left unprocessed are written again: attempts in all (the first write included), and the backoff
 * between them. The defaults wait at most 50 + 100 + … + 1,600 + 2,000 ms ≈ 5.2 s in all before giving up.
 */
export interface UnprocessedRetry extends BackoffPolicy {
  attempts: number;
}

const DEFAULT_RETRY: UnprocessedRetry = { attempts: 8, baseMs: 50, maxMs: 2_000 };

export class DynamoDeadLetters implements DeadLetterSink, DeadLetterReader {
  readonly #client: DynamoDBClient;
  readonly #table: string;
  readonly #retry: UnprocessedRetry;
  readonly #clock: Clock;
  readonly #random: () => number;

  constructor(options: {
    client: DynamoDBClient;
    table: string;
    retry?: UnprocessedRetry;
    clock?: Clock;
    random?: () => number;
  }) {
    this.#client = options.client;
    this.#table = options.table;
    this.#retry = options.retry ?? DEFAULT_RETRY;
    this.#clock = options.clock ?? systemClock;
    this.#random = options.random ?? Math.random;
  }

  /** One letter by its id, for inspection and replay. */
  async read(id: string): Promise<DeadLetterItem | undefined> {
    try {
      const { Item } = await this.#client.send(
        new GetItemCommand({ TableName: this.#table, Key: { id: { S: id } }, ConsistentRead: true }),
      );
      return Item ? fromItem(Item) : undefined;
    } catch (error) {
      throw translateAwsError(error, `reading dead letter ${id}`, this.#table);
    }
  }

  /** Every letter, page by page (a scan page holds at most 1 MB), so memory follows the page, not the table. */
  async *list(options: DeadLetterListOptions = {}): AsyncIterable<DeadLetterItem> {
    // A scan reads the whole table whatever the filter, but sends back only what passes it.
    const since =
      options.since === undefined
        ? {}
        : {
            FilterExpression: '#at >= :since',
            ExpressionAttributeNames: { '#at': 'at' },
            ExpressionAttributeValues: { ':since': { N: String(options.since) } },
          };
    let start: ScanCommandOutput['LastEvaluatedKey'];
    do {
      let page: ScanCommandOutput;
      try {
        page = await this.#client.send(
          new ScanCommand({
            TableName: this.#table,
            ...since,
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
        );
      } catch (error) {
        throw translateAwsError(error, `listing dead letters in ${this.#table}`, this.#table);
      }
      for (const item of page.Items ?? []) yield fromItem(item as Parameters<typeof fromItem>[0]);
      start = page.LastEvaluatedKey;
    } while (start);
  }

  /**
   * Writes every letter, or throws: a {@link ThrottledError} (transient) when DynamoDB still leaves items
   * unprocessed after the last attempt, so the core fails the messages they came from and the platform brings them
   * back later, instead of this call looping on a throttled table.
   */
  async put(letters: readonly DeadLetter[]): Promise<void> {
    await forEachBounded(deadLetterBatches(letters, BATCH_LIMITS), CONCURRENCY, (batch) =>
      this.#writeBatch(batch.map((item) => ({ PutRequest: { Item: toItem(item) } }))),
    );
  }

  async #writeBatch(batch: WriteRequest[]): Promise<void> {
    let requests = batch;
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await this.#client.send(
          new BatchWriteItemCommand({ RequestItems: { [this.#table]: requests } }),
        );
        requests = result.UnprocessedItems?.[this.#table] ?? [];
      } catch (error) {
        throw translateAwsError(
          error,
          `writing ${requests.length} dead letters to ${this.#table}`,
          this.#table,
        );
      }
      if (requests.length === 0) return;
      if (attempt >= this.#retry.attempts) {
        throw new ThrottledError(
          `writing dead letters to ${this.#table}: DynamoDB left ${requests.length} of ${batch.length} unprocessed ` +
            `after ${attempt} attempts; the message is retried later`,
        );
      }
      // Full jitter: the function's concurrent invocations spread out instead of retrying in step.
      await backoff(this.#clock, attempt, this.#retry, this.#random);
    }
  }
}

function fromItem(item: Record<string, { S?: string; N?: string; BOOL?: boolean }>): DeadLetterItem {
  return {
    id: item.id?.S ?? '',
    origin: item.origin?.S ?? '',
    messageId: item.messageId?.S ?? '',
    ...(item.batchId?.S === undefined ? {} : { batchId: item.batchId.S }),
    ...(item.row?.N === undefined ? {} : { row: Number(item.row.N) }),
    reason: item.reason?.S ?? '',
    payload: item.payload?.S ?? '',
    payloadTruncated: item.payloadTruncated?.BOOL ?? false,
    payloadLength: Number(item.payloadLength?.N ?? 0),
    at: Number(item.at?.N ?? 0),
  };
}

function toItem(item: DeadLetterItem): Record<string, AttributeValue> {
  return {
    id: { S: item.id },
    origin: { S: item.origin },
    messageId: { S: item.messageId },
    ...(item.batchId === undefined ? {} : { batchId: { S: item.batchId } }),
    ...(item.row === undefined ? {} : { row: { N: String(item.row) } }),
    reason: { S: item.reason },
    payload: { S: item.payload },
    payloadTruncated: { BOOL: item.payloadTruncated },
    payloadLength: { N: String(item.payloadLength) },
    at: { N: String(item.at) },
  };
}
