/** The Azure dead-letter place: the dead-letters container in Cosmos DB, one item per letter (DESIGN §4). */
import type { Container, Database } from '@azure/cosmos';
import type { DeadLetter, DeadLetterSink } from '../../core/index.ts';
import { type DeadLetterItem, deadLetterItem } from '../dead-letter-item.ts';
import { translateAzureError } from './cosmos-errors.ts';

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

  /** Every letter, page by page: dead letters are few by design, and inspection wants them all. */
  async *list(): AsyncIterable<DeadLetterItem> {
    try {
      for await (const page of this.#letters.items.readAll<DeadLetterItem>().getAsyncIterator()) {
        for (const item of page.resources) yield { ...item, id: decodeURIComponent(item.id) };
      }
    } catch (error) {
      throw translateAzureError(error, 'listing dead letters');
    }
  }

  async put(letters: readonly DeadLetter[]): Promise<void> {
    // Cosmos ids may not contain / \\ ? #: encode ids that came from other producers.
    await Promise.all(
      letters.map(async (letter) => {
        try {
          await this.#letters.items.upsert({ ...deadLetterItem(letter), id: encodeURIComponent(letter.id) });
        } catch (error) {
          throw translateAzureError(error, `writing dead letter ${letter.id}`);
        }
      }),
    );
  }
}
