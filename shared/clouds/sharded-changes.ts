/**
 * The change order `(updatedAt, id)` (`core/change-order.ts`) in a store that can only sort by one key and spreads
 * its index over shards (DynamoDB): a string key that sorts the same way, a stable shard of each id, and the merge
 * of the shards' pages into one page of the core's order.
 */
import { type ChangePage, changePage, compareChanges, fnv1a32, type SliceDocument } from '../core/index.ts';

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
  let bound: SliceDocument | undefined;
  for (const page of pages) {
    const last = page.documents[page.documents.length - 1];
    if (page.more && last && (!bound || compareChanges(last, bound) < 0)) bound = last;
  }
  const all = pages.flatMap((p) => p.documents).sort(compareChanges);
  const within = bound ? all.filter((d) => compareChanges(d, bound) <= 0) : all;
  const more = within.length > limit || all.length > within.length || pages.some((p) => p.more);
  return changePage(within.slice(0, limit), more);
}
