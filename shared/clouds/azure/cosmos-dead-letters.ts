/**
 * The Azure dead-letter place: the dead-letters container in Cosmos DB, one item per letter (DESIGN §4). Letters
 * go in bulk requests of at most 100 upserts and 2 MB (Cosmos DB's limits on one batch), {@link CONCURRENCY}
 * requests in flight, however many letters come.
 *
 * `items.bulk` sends at once. Its successor `executeBulkOperations` holds a partial batch back for a second to let
 * more operations gather (measured on the local server: 1,010–1,088 ms for 100 letters against 24–33 ms), which
 * every ingest invocation with a bad record would pay; point upserts took 570–850 ms for the same 100.
 */
import type { Container, Database, OperationInput } from '@azure/cosmos';
import type { DeadLetter, DeadLetterSink } from '../../core/index.ts';
import {
  type DeadLetterItem,
  type DeadLetterListOptions,
  type DeadLetterReader,
  deadLetterBatches,
} from '../dead-letter-item.ts';
import { forEachBounded } from '../for-each-bounded.ts';
import { translateAzureError } from './cosmos-errors.ts';

/** Cosmos DB's limits on one bulk request: 100 operations, 2 MB (the SDK splits a request further by size). */
const BATCH_LIMITS = { maxItems: 100, maxBytes: 2_000_000 };
/** Bulk requests in flight at once. */
const CONCURRENCY = 4;
/**
 * Letters per page when listing. Cosmos DB also ends a page at 4 MB, so a page stays small whatever the letters;
 * the local server does not, and takes time in proportion to the container for each page, so pages are not tiny.
 */
const LIST_PAGE = 1_000;

export class CosmosDeadLetters implements DeadLetterSink, DeadLetterReader {
  readonly #letters: Container;

  constructor(options: { database: Database; container: string }) {
    this.#letters = options.database.container(options.container);
  }

  /** One letter by its id, for inspection and replay. */
  async read(id: string): Promise<DeadLetterItem | undefined> {
    const key = encodeURIComponent(id);
    try {
      const { resource } = await this.#letters.item(key, key).read<DeadLetterItem>();
      return resource ? { ...resource, id } : undefined;
    } catch (error) {
      throw translateAzureError(error, `reading dead letter ${id}`);
    }
  }

  /** Every letter, page by page, so memory follows the page, not the container. */
  async *list(options: DeadLetterListOptions = {}): AsyncIterable<DeadLetterItem> {
    // Cosmos DB indexes every path by default: a range on `at` reads only the letters it selects.
    const pages =
      options.since === undefined
        ? this.#letters.items.readAll<DeadLetterItem>({ maxItemCount: LIST_PAGE })
        : this.#letters.items.query<DeadLetterItem>(
            {
              query: 'SELECT * FROM c WHERE c.at >= @since',
              parameters: [{ name: '@since', value: options.since }],
            },
            { maxItemCount: LIST_PAGE },
          );
    try {
      for await (const page of pages.getAsyncIterator()) {
        for (const item of page.resources) yield { ...item, id: decodeURIComponent(item.id) };
      }
    } catch (error) {
      throw translateAzureError(error, 'listing dead letters');
    }
  }

  /** Writes every letter, or throws the first failure as the core's error (a 429 is transient: the message comes back). */
  async put(letters: readonly DeadLetter[]): Promise<void> {
    await forEachBounded(deadLetterBatches(letters, BATCH_LIMITS), CONCURRENCY, (items) =>
      this.#bulk(
        // Cosmos ids may not contain / \\ ? #: encode ids that came from other producers. /id is the partition key.
        items.map((item) => {
          const id = encodeURIComponent(item.id);
          return { operationType: 'Upsert', partitionKey: id, resourceBody: { ...item, id } };
        }),
        `writing ${items.length} dead letters`,
      ),
    );
  }

  /**
   * Deletes letters by id, in bulk requests of 100: what `tricloud dead-letters redrive` does with a message once it
   * is back on the hub. An id already gone counts as deleted, so a second redrive of the same letters is harmless.
   */
  async remove(ids: readonly string[]): Promise<void> {
    const chunks: string[][] = [];
    for (let i = 0; i < ids.length; i += BATCH_LIMITS.maxItems) {
      chunks.push(ids.slice(i, i + BATCH_LIMITS.maxItems));
    }
    await forEachBounded(chunks, CONCURRENCY, (chunk) =>
      this.#bulk(
        chunk.map((id) => {
          const key = encodeURIComponent(id);
          return { operationType: 'Delete', id: key, partitionKey: key };
        }),
        `deleting ${chunk.length} dead letters`,
        404,
      ),
    );
  }

  /** One bulk request; the first operation that failed (but for `tolerated`) is thrown as the core's error. */
  async #bulk(operations: OperationInput[], what: string, tolerated?: number): Promise<void> {
    let results: Awaited<ReturnType<Container['items']['bulk']>>;
    try {
      results = await this.#letters.items.bulk(operations);
    } catch (error) {
      throw translateAzureError(error, what);
    }
    const failed = results.find((r) => r.statusCode >= 400 && r.statusCode !== tolerated);
    if (failed !== undefined) {
      const error = Object.assign(new Error(`Cosmos DB answered ${failed.statusCode} to one of them`), {
        code: failed.statusCode,
      });
      throw translateAzureError(error, what);
    }
  }
}
