/**
 * The GCP dead-letter place for invalid records: the dead-letters collection, one document per letter. Letters go
 * in batched writes of at most 500 operations and 4 MB (a commit may carry 10 MiB), a few commits in flight.
 */
import type { CollectionReference, Firestore, QueryDocumentSnapshot } from '@google-cloud/firestore';
import type { DeadLetter, DeadLetterSink } from '../../core/index.ts';
import {
  type DeadLetterItem,
  type DeadLetterListOptions,
  type DeadLetterReader,
  deadLetterBatches,
} from '../dead-letter-item.ts';
import { forEachBounded } from '../for-each-bounded.ts';
import { translateGcpError } from './firestore-errors.ts';

/** Firestore's limit of writes in one batch, and a size well under a commit's 10 MiB. */
const BATCH_LIMITS = { maxItems: 500, maxBytes: 4_000_000 };
/** Commits in flight at once. */
const CONCURRENCY = 4;

export class FirestoreDeadLetters implements DeadLetterSink, DeadLetterReader {
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

  /**
   * Every letter, from one streamed query: the stream holds back while the caller is busy, so memory follows what
   * the caller holds, and the client resumes it after the last document when the connection drops.
   */
  async *list(options: DeadLetterListOptions = {}): AsyncIterable<DeadLetterItem> {
    // `at` has Firestore's automatic single-field index: a range on it reads only the letters it selects.
    const query =
      options.since === undefined ? this.#letters : this.#letters.where('at', '>=', options.since);
    try {
      // The stream's type says chunks; a query stream gives document snapshots.
      for await (const doc of query.stream() as AsyncIterable<QueryDocumentSnapshot>) {
        yield doc.data() as DeadLetterItem;
      }
    } catch (error) {
      throw translateGcpError(error, 'listing dead letters');
    }
  }

  async put(letters: readonly DeadLetter[]): Promise<void> {
    await forEachBounded(deadLetterBatches(letters, BATCH_LIMITS), CONCURRENCY, async (items) => {
      const batch = this.#db.batch();
      // Document ids may not contain '/': message ids from other producers might.
      for (const item of items) batch.set(this.#letters.doc(encodeURIComponent(item.id)), item);
      try {
        await batch.commit();
      } catch (error) {
        throw translateGcpError(error, `writing ${items.length} dead letters`);
      }
    });
  }
}
