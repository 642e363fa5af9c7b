/**
 * Windows per store, counted from the slices of each store's change order (the listing the sync reads): each poll costs
 * the documents changed since the last one, never a scan. A cursor a little behind the newest change catches
 * writes that committed late with an older writer clock, as the sync's overlap does; a full poll starts over.
 *
 * Besides the count, each store's own part is summed: the records its cloud's ingest has stored (× window
 * sizes). That is what `dev` waits for before the final sync — exact even when a write committed but its reply
 * was lost in an outage, where the functions' own `added` metric undercounts.
 */
import { createStores } from '../../shared/clouds/all-stores.ts';
import { toStored } from '../../shared/clouds/document-codec.ts';
import type { CloudSettings } from '../../shared/config/environment.ts';
import { type ChangeCursor, ORIGINS, type Origin, windowId } from '../../shared/core/index.ts';

const OVERLAP_MS = 2_000;

export interface DocumentCounter {
  readonly counts: Record<Origin, number>;
  /** Records (× window sizes) in each store's own part: what each cloud's ingest has stored. */
  readonly ownRecords: Record<Origin, number>;
  /** Bytes of the largest slice each store has listed (its stored form's JSON): slices are the largest items. */
  readonly largestSlice: Record<Origin, number>;
  /** Reads what changed since the last poll (everything when `full`); a poll already running is not doubled. */
  poll(full?: boolean): Promise<void>;
  close(): Promise<void>;
}

export async function countDocuments(settings: CloudSettings): Promise<DocumentCounter> {
  const stores = await Promise.all(ORIGINS.map((o) => createStores(o, settings)));
  // Own records per slice (slices are what the change order lists), and the windows those slices belong to.
  const seen = ORIGINS.map(() => new Map<string, number>());
  const windows = ORIGINS.map(() => new Set<string>());
  const newest = ORIGINS.map(() => Number.NEGATIVE_INFINITY);
  const counts = Object.fromEntries(ORIGINS.map((o) => [o, 0])) as Record<Origin, number>;
  const ownRecords = Object.fromEntries(ORIGINS.map((o) => [o, 0])) as Record<Origin, number>;
  const largestSlice = Object.fromEntries(ORIGINS.map((o) => [o, 0])) as Record<Origin, number>;
  let running: Promise<void> | undefined;
  const pollOne = async (i: number, full: boolean) => {
    if (full) newest[i] = Number.NEGATIVE_INFINITY;
    let cursor: ChangeCursor = { updatedAt: newest[i]! - OVERLAP_MS, id: '' };
    for (;;) {
      const page = await stores[i]!.store.changes(cursor, 500);
      for (const doc of page.documents) {
        seen[i]!.set(doc.id, doc.parts[ORIGINS[i]!]?.aggregate.count ?? 0);
        windows[i]!.add(windowId(doc));
        const bytes = Buffer.byteLength(JSON.stringify(toStored(doc)));
        largestSlice[ORIGINS[i]!] = Math.max(largestSlice[ORIGINS[i]!], bytes);
        newest[i] = Math.max(newest[i]!, doc.updatedAt);
      }
      if (!page.next) break;
      cursor = page.next;
    }
    counts[ORIGINS[i]!] = windows[i]!.size;
    let own = 0;
    for (const n of seen[i]!.values()) own += n;
    ownRecords[ORIGINS[i]!] = own;
  };
  return {
    counts,
    ownRecords,
    largestSlice,
    poll(full = false) {
      running ??= Promise.all(ORIGINS.map((_, i) => pollOne(i, full).catch(() => {}))).then(() => {
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
