/** Every document of a store, in change order, page by page through the port: for export and verify. */
import type { AggregateStore, ChangeCursor } from './ports.ts';
import type { WindowDocument } from './window-document.ts';

export async function* allDocuments(store: AggregateStore, pageSize = 500): AsyncGenerator<WindowDocument> {
  let cursor: ChangeCursor = { updatedAt: Number.NEGATIVE_INFINITY, id: '' };
  for (;;) {
    const page = await store.changes(cursor, pageSize);
    yield* page.documents;
    if (!page.next) return;
    cursor = page.next;
  }
}
