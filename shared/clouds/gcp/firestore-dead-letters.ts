/** The GCP dead-letter place for invalid records: the dead-letters collection, one document per letter. */
import type { CollectionReference, Firestore } from '@google-cloud/firestore';
import type { DeadLetter, DeadLetterSink } from '../../core/index.ts';
import { type DeadLetterItem, deadLetterItem } from '../dead-letter-item.ts';
import { translateGcpError } from './firestore-errors.ts';

/** Firestore's limit of writes in one batch. */
const BATCH_LIMIT = 500;

export class FirestoreDeadLetters implements DeadLetterSink {
  readonly #db: Firestore;
  readonly #letters: CollectionReference;

  constructor(options: { firestore: Firestore; collection: string }) {
    this.#db = options.firestore;
    this.#letters = options.firestore.collection(options.collection);
  }

  /** One letter by its id, for inspection and replay. */
  async read(id: string): Promise<DeadLetterItem | undefined> {
    try {
      const snap = await this.#letters.doc(encodeURIComponent(id)).get();
      return snap.exists ? (snap.data() as DeadLetterItem) : undefined;
    } catch (error) {
      throw translateGcpError(error, `reading dead letter ${id}`);
    }
  }

  /** Every letter: dead letters are few by design, and inspection wants them all. */
  async *list(): AsyncIterable<DeadLetterItem> {
    let snap: Awaited<ReturnType<CollectionReference['get']>>;
    try {
      snap = await this.#letters.get();
    } catch (error) {
      throw translateGcpError(error, 'listing dead letters');
    }
    for (const doc of snap.docs) yield doc.data() as DeadLetterItem;
  }

  async put(letters: readonly DeadLetter[]): Promise<void> {
    for (let i = 0; i < letters.length; i += BATCH_LIMIT) {
      const batch = this.#db.batch();
      // Document ids may not contain '/': message ids from other producers might.
      for (const letter of letters.slice(i, i + BATCH_LIMIT)) {
        batch.set(this.#letters.doc(encodeURIComponent(letter.id)), deadLetterItem(letter));
      }
      try {
        await batch.commit();
      } catch (error) {
        throw translateGcpError(error, `writing ${letters.length} dead letters`);
      }
    }
  }
}
