/**
 * The Firestore `AggregateStore`: one document per slice or window in the aggregates collection
 * (`document-codec.ts`), conditional writes as Firestore preconditions (`create` for a new document,
 * `lastUpdateTime` for an update — Firestore cannot condition on a field's value), changes listed by a query on
 * `kind == 'slice'` ordered by `updatedAt` then document id, and windows by `seriesWindow == …` ordered by `start`
 * (composite indexes `(kind, updatedAt)` and `(seriesWindow, start)`, declared in infra/gcp). Watermarks live in
 * the sync-state collection.
 */
import { type CollectionReference, FieldPath, type Firestore, type Timestamp } from '@google-cloud/firestore';
import type {
  AggregateStore,
  ChangeCursor,
  ChangePage,
  Origin,
  StoredDocument,
  Watermark,
  WindowPage,
  WindowRange,
} from '../../core/index.ts';
import { ConflictError, changePage, windowPage } from '../../core/index.ts';
import {
  asSlice,
  asWindow,
  checkItemSize,
  fromStored,
  type StoredFields,
  seriesWindowKey,
  toStored,
} from '../document-codec.ts';
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

  async read(ids: readonly string[]): Promise<Map<string, StoredDocument>> {
    const out = new Map<string, StoredDocument>();
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

  async write(doc: StoredDocument, expectedRevision: number): Promise<void> {
    const ref = this.#docs.doc(doc.id);
    const what = `writing document ${doc.id} at revision ${expectedRevision}`;
    const fields = toStored(doc);
    checkItemSize(fields, what);
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
    const ordered = this.#docs
      .where('kind', '==', 'slice')
      .orderBy('updatedAt')
      .orderBy(FieldPath.documentId());
    // An empty id means "from this time on", which a document-id cursor cannot say (ids are never empty).
    const query = (
      since.id === ''
        ? Number.isFinite(since.updatedAt)
          ? ordered.where('updatedAt', '>=', since.updatedAt)
          : ordered
        : ordered.startAfter(since.updatedAt, since.id)
    ).limit(limit);
    const snap = await this.#call(() => query.get(), 'listing changes');
    const documents = snap.docs.map((d) => asSlice(fromStored(d.data() as StoredFields)));
    // A full page may have more behind it; a short one is the end.
    return changePage(documents, documents.length === limit);
  }

  async windows(range: WindowRange, limit: number): Promise<WindowPage> {
    const query = this.#docs
      .where('seriesWindow', '==', seriesWindowKey(range.series, range.window))
      .where('start', '>=', range.from)
      .where('start', '<', range.to)
      .orderBy('start')
      .limit(limit);
    const snap = await this.#call(
      () => query.get(),
      `reading the ${range.window} windows of ${range.series}`,
    );
    const windows = snap.docs.map((d) => asWindow(fromStored(d.data() as StoredFields)));
    return windowPage(windows, windows.length === limit);
  }

  async readWatermark(source: Origin): Promise<Watermark | undefined> {
    const snap = await this.#call(
      () => this.#state.doc(`watermark-${source}`).get(),
      `reading the ${source} watermark`,
    );
    const data = snap.data() as Watermark | undefined;
    if (!data) return undefined;
    const retry = Array.isArray(data.retry) ? data.retry.map(String) : [];
    return {
      updatedAt: Number(data.updatedAt),
      id: String(data.id),
      ...(retry.length ? { retry } : {}),
      ...(typeof data.checkedAt === 'number' ? { checkedAt: data.checkedAt } : {}),
    };
  }

  async writeWatermark(source: Origin, cursor: Watermark): Promise<void> {
    const fields = {
      updatedAt: cursor.updatedAt,
      id: cursor.id,
      retry: cursor.retry ?? [],
      ...(cursor.checkedAt === undefined ? {} : { checkedAt: cursor.checkedAt }),
    };
    await this.#call(
      () => this.#state.doc(`watermark-${source}`).set(fields),
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
