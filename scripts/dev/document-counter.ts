/**
 * Documents per store for the live view, read from each store's change order (the same listing the sync reads):
 * each poll costs the documents changed since the last one, never a scan. A cursor a little behind the newest
 * change catches writes that committed late with an older writer clock, as the sync's overlap does.
 */
import { createStores } from '../../shared/clouds/all-stores.ts';
import type { CloudSettings } from '../../shared/config/local-env.ts';
import { type ChangeCursor, ORIGINS, type Origin } from '../../shared/core/index.ts';

const OVERLAP_MS = 2_000;

export interface DocumentCounter {
  readonly counts: Record<Origin, number>;
  /** Reads what changed since the last poll; a poll already running is not doubled. */
  poll(): Promise<void>;
  close(): Promise<void>;
}

export async function countDocuments(settings: CloudSettings): Promise<DocumentCounter> {
  const stores = await Promise.all(ORIGINS.map((o) => createStores(o, settings)));
  const seen = ORIGINS.map(() => new Set<string>());
  const newest = ORIGINS.map(() => Number.NEGATIVE_INFINITY);
  const counts = Object.fromEntries(ORIGINS.map((o) => [o, 0])) as Record<Origin, number>;
  let running: Promise<void> | undefined;
  const pollOne = async (i: number) => {
    let cursor: ChangeCursor = { updatedAt: newest[i]! - OVERLAP_MS, id: '' };
    for (;;) {
      const page = await stores[i]!.store.changes(cursor, 500);
      for (const doc of page.documents) {
        seen[i]!.add(doc.id);
        newest[i] = Math.max(newest[i]!, doc.updatedAt);
      }
      if (!page.next) break;
      cursor = page.next;
    }
    counts[ORIGINS[i]!] = seen[i]!.size;
  };
  return {
    counts,
    poll() {
      running ??= Promise.all(ORIGINS.map((_, i) => pollOne(i).catch(() => {}))).then(() => {
        running = undefined;
      });
      return running;
    },
    async close() {
      await running;
      await Promise.all(stores.map((s) => s.close()));
    },
  };
}
