/** The AWS dead-letter place: the dead-letters table, one item per letter, keyed by the letter's stable id. */
import {
  BatchWriteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  ScanCommand,
  type ScanCommandOutput,
} from '@aws-sdk/client-dynamodb';
import type { DeadLetter, DeadLetterSink } from '../../core/index.ts';
import { type DeadLetterItem, deadLetterItem } from '../dead-letter-item.ts';
import { translateAwsError } from './dynamo-errors.ts';

const BATCH_WRITE_LIMIT = 25;

export class DynamoDeadLetters implements DeadLetterSink {
  readonly #client: DynamoDBClient;
  readonly #table: string;

  constructor(options: { client: DynamoDBClient; table: string }) {
    this.#client = options.client;
    this.#table = options.table;
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

  /** Every letter, page by page: dead letters are few by design, and inspection wants them all. */
  async *list(): AsyncIterable<DeadLetterItem> {
    let start: ScanCommandOutput['LastEvaluatedKey'];
    do {
      let page: ScanCommandOutput;
      try {
        page = await this.#client.send(
          new ScanCommand({ TableName: this.#table, ...(start ? { ExclusiveStartKey: start } : {}) }),
        );
      } catch (error) {
        throw translateAwsError(error, `listing dead letters in ${this.#table}`, this.#table);
      }
      for (const item of page.Items ?? []) yield fromItem(item as Parameters<typeof fromItem>[0]);
      start = page.LastEvaluatedKey;
    } while (start);
  }

  async put(letters: readonly DeadLetter[]): Promise<void> {
    for (let i = 0; i < letters.length; i += BATCH_WRITE_LIMIT) {
      let requests = letters
        .slice(i, i + BATCH_WRITE_LIMIT)
        .map((letter) => ({ PutRequest: { Item: toItem(letter) } }));
      // BatchWriteItem may leave items unprocessed under load; write those again until none are left.
      for (let attempt = 0; requests.length > 0; attempt++) {
        if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(1_000, 20 * 2 ** attempt)));
        try {
          const result = await this.#client.send(
            new BatchWriteItemCommand({ RequestItems: { [this.#table]: requests } }),
          );
          requests = (result.UnprocessedItems?.[this.#table] ?? []) as typeof requests;
        } catch (error) {
          throw translateAwsError(
            error,
            `writing ${requests.length} dead letters to ${this.#table}`,
            this.#table,
          );
        }
      }
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

function toItem(letter: DeadLetter) {
  const item = deadLetterItem(letter);
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
