/** Wraps a store to count its operations: benches compare store work, not only time. */
import type { AggregateStore } from '../../shared/core/index.ts';

export interface StoreCounts {
  reads: number;
  writes: number;
  listed: number;
}

export function countingStore(store: AggregateStore): { store: AggregateStore; counts: StoreCounts } {
  const counts: StoreCounts = { reads: 0, writes: 0, listed: 0 };
  return {
    counts,
    store: {
      async read(ids) {
        counts.reads += ids.length;
        return store.read(ids);
      },
      async write(doc, expected) {
        counts.writes++;
        return store.write(doc, expected);
      },
      async changes(since, limit) {
        const page = await store.changes(since, limit);
        counts.listed += page.documents.length;
        return page;
      },
      async windows(range, limit) {
        const page = await store.windows(range, limit);
        counts.reads += page.windows.length;
        return page;
      },
      readWatermark: (source) => store.readWatermark(source),
      writeWatermark: (source, cursor) => store.writeWatermark(source, cursor),
    },
  };
}
