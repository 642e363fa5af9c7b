/**
 * The Firestore `AggregateStore`: one document per window in the aggregates collection, conditional writes as
 * Firestore preconditions (`create` for a new document, `lastUpdateTime` for an update — Firestore cannot
 * condition on a field's value), changes listed by an ordered query on `updatedAt` then document id.
 * Watermarks live in the sync-state collection.
 */
import { type CollectionReference, FieldPath, type Firestore, type Timestamp } from '@google-cloud/firestore';
import type { AggregateStore, ChangeCursor, ChangePage, Origin, WindowDocument } from '../../core/index.ts';
import { ConflictError } from '../../core/index.ts';
import { fromStored, type StoredFields, toStored } from '../document-codec.ts';
import { VersionTokens } from '../version-tokens.ts';
import { translateGcpError } from './firestore-errors.ts';

export interface FirestoreStoreOptions {
  firestore: Firestore;
  aggregatesCollection: string;
  syncStateCollection: string;
}

export class FirestoreStore implements AggregateStore {
  readonly #db: Firestore;
  readonly #docs: CollectionReference;
  readonly #state: CollectionReference;
  readonly #versions = new VersionTokens<Timestamp>();

  constructor(options: FirestoreStoreOptions) {
    this.#db = options.firestore;
    this.#docs = options.firestore.collection(options.aggregatesCollection);
    this.#state = options.firestore.collection(options.syncStateCollection);
  }

  async read(ids: readonly string[]): Promise<Map<string, WindowDocument>> {
    const out = new Map<string, WindowDocument>();
    if (ids.length === 0) return out;
    const snapshots = await this.#call(
      () => this.#db.getAll(...ids.map((id) => this.#docs.doc(id))),
      `reading ${ids.length} documents`,
    );
    for (const snap of snapshots) {
      if (!snap.exists || !snap.updateTime) continue;
      const doc = fromStored(snap.data() as StoredFields);
      this.#versions.remember(doc.id, doc.revision, snap.updateTime);
      out.set(doc.id, doc);
    }
    return out;
  }

  async write(doc: WindowDocument, expectedRevision: number): Promise<void> {
    const ref = this.#docs.doc(doc.id);
    const what = `writing document ${doc.id} at revision ${expectedRevision}`;
    const fields = toStored(doc);
    if (expectedRevision === 0) {
      await this.#call(() => ref.create(fields), what);
    } else {
      let lastUpdateTime = this.#versions.tokenFor(doc.id, expectedRevision);
      if (!lastUpdateTime) {
        const snap = await this.#call(() => ref.get(), what);
        const stored = snap.exists ? Number((snap.data() as StoredFields).revision) : 0;
        if (stored !== expectedRevision || !snap.updateTime) {
          throw new ConflictError(`${what}: it is at revision ${stored}`);
        }
        lastUpdateTime = snap.updateTime;
      }
      const precondition = lastUpdateTime;
      await this.#call(() => ref.update({ ...fields }, { lastUpdateTime: precondition }), what);
    }
    // The write's own update time is not returned by update(); the next read learns it.
    this.#versions.forget(doc.id);
  }

  async changes(since: ChangeCursor, limit: number): Promise<ChangePage> {
    const ordered = this.#docs.orderBy('updatedAt').orderBy(FieldPath.documentId());
    // An empty id means "from this time on", which a document-id cursor cannot say (ids are never empty).
    const query = (
      since.id === ''
        ? Number.isFinite(since.updatedAt)
          ? ordered.where('updatedAt', '>=', since.updatedAt)
          : ordered
        : ordered.startAfter(since.updatedAt, since.id)
    ).limit(limit);
    const snap = await this.#call(() => query.get(), 'listing changes');
    const documents = snap.docs.map((d) => fromStored(d.data() as StoredFields));
    const last = documents[documents.length - 1];
    return documents.length === limit && last
      ? { documents, next: { updatedAt: last.updatedAt, id: last.id } }
      : { documents };
  }

  async readWatermark(source: Origin): Promise<ChangeCursor | undefined> {
    const snap = await this.#call(
      () => this.#state.doc(`watermark-${source}`).get(),
      `reading the ${source} watermark`,
    );
    const data = snap.data() as ChangeCursor | undefined;
    return data ? { updatedAt: Number(data.updatedAt), id: String(data.id) } : undefined;
  }

  async writeWatermark(source: Origin, cursor: ChangeCursor): Promise<void> {
    await this.#call(
      () => this.#state.doc(`watermark-${source}`).set({ updatedAt: cursor.updatedAt, id: cursor.id }),
      `writing the ${source} watermark`,
    );
  }

  async #call<T>(fn: () => Promise<T>, what: string): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw translateGcpError(error, what);
    }
  }
}
