/**
 * A store whose reads and writes go through a limiter, so a use case that fans out (a window of scattered ids
 * writes thousands of slices and summary nodes) keeps a bounded number of requests in flight. Only the calls are
 * limited, never the work around them, so nested fan-outs cannot deadlock on the limiter.
 */
import type { LimitFunction } from 'p-limit';
import type { AggregateStore } from './ports.ts';

export function boundedStore(store: AggregateStore, limit: LimitFunction): AggregateStore {
  return {
    read: (ids) => limit(() => store.read(ids)),
    write: (doc, expectedRevision) => limit(() => store.write(doc, expectedRevision)),
    changes: (since, max) => limit(() => store.changes(since, max)),
    windows: (range, max) => limit(() => store.windows(range, max)),
    readWatermark: (source) => store.readWatermark(source),
    writeWatermark: (source, watermark) => store.writeWatermark(source, watermark),
  };
}
