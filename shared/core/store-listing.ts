/**
 * Every window of a store, through the port, for export and verify: the slices in change order, page by page,
 * and the windows they belong to, read by id a page at a time. A whole-store read by nature; the read path uses
 * the range index instead (`AggregateStore.windows`).
 */
import type { AggregateStore, ChangeCursor } from './ports.ts';
import type { SliceDocument } from './slice-document.ts';
import { type WindowDocument, windowId } from './window-document.ts';

export async function* allSlices(store: AggregateStore, pageSize = 500): AsyncGenerator<SliceDocument> {
  let cursor: ChangeCursor = { updatedAt: Number.NEGATIVE_INFINITY, id: '' };
  for (;;) {
    const page = await store.changes(cursor, pageSize);
    yield* page.documents;
    if (!page.next) return;
    cursor = page.next;
  }
}

export async function* allWindows(store: AggregateStore, pageSize = 500): AsyncGenerator<WindowDocument> {
  const seen = new Set<string>();
  let pending: string[] = [];
  const flush = async function* () {
    const found = await store.read(pending);
    pending = [];
    for (const doc of found.values()) if (doc.kind === 'window') yield doc;
  };
  for await (const slice of allSlices(store, pageSize)) {
    const id = windowId(slice);
    if (seen.has(id)) continue;
    seen.add(id);
    pending.push(id);
    if (pending.length >= pageSize) yield* flush();
  }
  if (pending.length) yield* flush();
}
