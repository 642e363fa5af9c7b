/**
 * The Cosmos DB `AggregateStore`: one item per slice or window in the aggregates container (`document-codec.ts`;
 * partition key `/id`, so every read and write is a point operation), conditional writes as `If-Match` on the
 * ETag — Cosmos cannot condition on a field's value — changes listed by a query on slices ordered by `updatedAt`
 * then `id`, and windows by a query on `seriesWindow` ordered by `start` (composite indexes for both, declared in
 * the local stack's provisioning and infra/azure alike). Watermarks live in the sync-state container.
 */
import type { Container, Database } from '@azure/cosmos';
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
import { forEachBounded } from '../for-each-bounded.ts';
import { VersionTokens } from '../version-tokens.ts';
import { translateAzureError } from './cosmos-errors.ts';

export interface CosmosStoreOptions {
  database: Database;
  aggregatesContainer: string;
  syncStateContainer: string;
}

type StoredItem = StoredFields & { _etag?: string };

/** Point reads in flight at once for one `read`. */
const READS_AT_ONCE = 32;

export class CosmosStore implements AggregateStore {
  readonly #docs: Container;
  readonly #state: Container;
  readonly #versions = new VersionTokens<string>();

  constructor(options: CosmosStoreOptions) {
    this.#docs = options.database.container(options.aggregatesContainer);
    this.#state = options.database.container(options.syncStateContainer);
  }

  async read(ids: readonly string[]): Promise<Map<string, StoredDocument>> {
    const out = new Map<string, StoredDocument>();
    // Point reads are the cheapest Cosmos operation (1 RU each); a few in flight at once, since a batch of
    // scattered ids reads thousands of slices and summary nodes.
    const items: StoredItem[] = [];
    await forEachBounded(ids, READS_AT_ONCE, async (id) => {
      const item = await this.#readItem(id);
      if (item) items.push(item);
    });
    for (const item of items) {
      const doc = fromStored(item);
      if (item._etag) this.#versions.remember(doc.id, doc.revision, item._etag);
      out.set(doc.id, doc);
    }
    return out;
  }

  async write(doc: StoredDocument, expectedRevision: number): Promise<void> {
    const what = `writing document ${doc.id} at revision ${expectedRevision}`;
    const body = toStored(doc);
    checkItemSize(body, what);
    if (expectedRevision === 0) {
      await this.#call(() => this.#docs.items.create(body), what);
    } else {
      let etag = this.#versions.tokenFor(doc.id, expectedRevision);
      if (!etag) {
        const item = await this.#readItem(doc.id);
        const stored = item ? Number(item.revision) : 0;
        if (stored !== expectedRevision || !item?._etag)
          throw new ConflictError(`${what}: it is at revision ${stored}`);
        etag = item._etag;
      }
      const condition = etag;
      await this.#call(
        () =>
          this.#docs.item(doc.id, doc.id).replace(body, { accessCondition: { type: 'IfMatch', condition } }),
        what,
      );
    }
    this.#versions.forget(doc.id);
  }

  async changes(since: ChangeCursor, limit: number): Promise<ChangePage> {
    const from = Number.isFinite(since.updatedAt) ? since.updatedAt : -1;
    const query = {
      query:
        // TOP rather than OFFSET/LIMIT: both real Cosmos DB and the local server's query engine accept it.
        "SELECT TOP @limit * FROM c WHERE c.kind = 'slice' AND (c.updatedAt > @u OR (c.updatedAt = @u AND c.id > @id)) ORDER BY c.updatedAt ASC, c.id ASC",
      parameters: [
        { name: '@u', value: from },
        { name: '@id', value: since.id },
        { name: '@limit', value: limit },
      ],
    };
    const { resources } = await this.#call(
      () => this.#docs.items.query<StoredItem>(query).fetchAll(),
      'listing changes',
    );
    const documents = resources.map((item) => asSlice(fromStored(item)));
    // A full page may have more behind it; a short one is the end.
    return changePage(documents, documents.length === limit);
  }

  async windows(range: WindowRange, limit: number): Promise<WindowPage> {
    const query = {
      query:
        'SELECT TOP @limit * FROM c WHERE c.seriesWindow = @sw AND c.start >= @from AND c.start < @to ORDER BY c.start ASC',
      parameters: [
        { name: '@sw', value: seriesWindowKey(range.series, range.window) },
        { name: '@from', value: range.from },
        { name: '@to', value: range.to },
        { name: '@limit', value: limit },
      ],
    };
    const { resources } = await this.#call(
      () => this.#docs.items.query<StoredItem>(query).fetchAll(),
      `reading the ${range.window} windows of ${range.series}`,
    );
    const windows = resources.map((item) => asWindow(fromStored(item)));
    return windowPage(windows, windows.length === limit);
  }

  async readWatermark(source: Origin): Promise<Watermark | undefined> {
    const id = `watermark-${source}`;
    const { resource } = await this.#call(
      () =>
        this.#state
          .item(id, id)
          .read<{ id: string; updatedAt: number; cursorId: string; retry?: string[]; checkedAt?: number }>(),
      `reading the ${source} watermark`,
    );
    if (!resource) return undefined;
    const retry = Array.isArray(resource.retry) ? resource.retry.map(String) : [];
    return {
      updatedAt: Number(resource.updatedAt),
      id: String(resource.cursorId),
      ...(retry.length ? { retry } : {}),
      ...(typeof resource.checkedAt === 'number' ? { checkedAt: resource.checkedAt } : {}),
    };
  }

  async writeWatermark(source: Origin, cursor: Watermark): Promise<void> {
    const id = `watermark-${source}`;
    const item = {
      id,
      updatedAt: cursor.updatedAt,
      cursorId: cursor.id,
      retry: cursor.retry ?? [],
      ...(cursor.checkedAt === undefined ? {} : { checkedAt: cursor.checkedAt }),
    };
    await this.#call(() => this.#state.items.upsert(item), `writing the ${source} watermark`);
  }

  async #readItem(id: string): Promise<StoredItem | undefined> {
    const { resource } = await this.#call(
      () => this.#docs.item(id, id).read<StoredItem>(),
      `reading document ${id}`,
    );
    return resource;
  }

  async #call<T>(fn: () => Promise<T>, what: string): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw translateAzureError(error, what);
    }
  }
}
