/**
 * The Azure dead-letter place: the dead-letters container in Cosmos DB, one item per letter (DESIGN §4), written
 * by point upserts with at most {@link CONCURRENCY} in flight, however many letters come.
 */
import type { Container, Database } from '@azure/cosmos';
import type { DeadLetter, DeadLetterSink } from '../../core/index.ts';
import { type DeadLetterItem, deadLetterItem, forEachBounded } from '../dead-letter-item.ts';
import { translateAzureError } from './cosmos-errors.ts';

/** Upserts in flight at once. */
const CONCURRENCY = 8;
/**
 * Letters per page when listing. Cosmos DB also ends a page at 4 MB, so a page stays small whatever the letters;
 * the local server does not, and takes time in proportion to the container for each page, so pages are not tiny.
 */
const LIST_PAGE = 1_000;

export class CosmosDeadLetters implements DeadLetterSink {
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
  async *list(): AsyncIterable<DeadLetterItem> {
    try {
      for await (const page of this.#letters.items
        .readAll<DeadLetterItem>({ maxItemCount: LIST_PAGE })
        .getAsyncIterator()) {
        for (const item of page.resources) yield { ...item, id: decodeURIComponent(item.id) };
      }
    } catch (error) {
      throw translateAzureError(error, 'listing dead letters');
    }
  }

  async put(letters: readonly DeadLetter[]): Promise<void> {
    // Cosmos ids may not contain / \\ ? #: encode ids that came from other producers.
    await forEachBounded(letters, CONCURRENCY, async (letter) => {
      try {
        await this.#letters.items.upsert({ ...deadLetterItem(letter), id: encodeURIComponent(letter.id) });
      } catch (error) {
        throw translateAzureError(error, `writing dead letter ${letter.id}`);
      }
    });
  }
}
