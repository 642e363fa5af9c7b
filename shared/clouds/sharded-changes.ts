/**
 * The core's change order `(updatedAt, id)` in stores that can only sort by one key: a string key that sorts the
 * same way, a stable shard for spreading index writes, and the merge of per-shard pages into one ordered page.
 */
import { type ChangePage, fnv1a32, type SliceDocument } from '../core/index.ts';

/** Zero-padded `updatedAt`, then the id: string order equals `(updatedAt, id)` order for epoch-ms times. */
export function changeKey(updatedAt: number, id: string): string {
  const ms = Number.isFinite(updatedAt) ? Math.max(0, Math.floor(updatedAt)) : 0;
  return `${String(ms).padStart(16, '0')}|${id}`;
}

/** FNV-1a of the id, modulo `shards`: stable across processes and languages. */
export function shardOf(id: string, shards: number): number {
  return fnv1a32(id) % shards;
}

/**
 * Each shard's page is a prefix of that shard's order. Everything a shard left unread sorts after its last
 * document, so the merged page may only reach up to the earliest such "last document" among shards that have
 * more; up to there, the sorted union is exactly a prefix of the global order.
 */
export function mergeShardPages(
  pages: readonly { documents: SliceDocument[]; more: boolean }[],
  limit: number,
): ChangePage {
  const order = (a: SliceDocument, b: SliceDocument) =>
    a.updatedAt - b.updatedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  let bound: SliceDocument | undefined;
  for (const page of pages) {
    const last = page.documents[page.documents.length - 1];
    if (page.more && last && (!bound || order(last, bound) < 0)) bound = last;
  }
  const all = pages.flatMap((p) => p.documents).sort(order);
  const within = bound ? all.filter((d) => order(d, bound) <= 0) : all;
  const documents = within.slice(0, limit);
  const last = documents[documents.length - 1];
  const more = within.length > limit || all.length > within.length || pages.some((p) => p.more);
  return more && last ? { documents, next: { updatedAt: last.updatedAt, id: last.id } } : { documents };
}
