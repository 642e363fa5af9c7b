/** The live view's row per cloud, gathered from what `tricloud dev` watches: metric lines, stores, sync reports. */
import { ORIGINS, type Origin } from '../../shared/core/index.ts';
import type { DocumentCounter } from './document-counter.ts';
import type { FunctionTelemetry } from './function-telemetry.ts';
import type { CloudRow } from './live-view.ts';
import type { SyncRuns } from './sync-runs.ts';
import { lagsOf } from './timeline.ts';

export interface Watched {
  telemetry: FunctionTelemetry;
  documents: DocumentCounter;
  syncs: Pick<SyncRuns, 'last'>;
  /** Window sizes: each record is stored once per size. */
  windows: readonly unknown[];
}

/** Each cloud's row; `queued` gives the messages sent but not yet ingested, when they are known. */
export function cloudRows(
  watched: Watched,
  queued: (o: Origin) => number | undefined,
): Record<Origin, CloudRow> {
  return Object.fromEntries(
    ORIGINS.map((o): [Origin, CloudRow] => {
      const t = watched.telemetry.totals[o];
      const q = queued(o);
      return [
        o,
        {
          ...(q === undefined ? {} : { queued: q }),
          // Records stored, not attempts: `added` counts (record, window) pairs, one per window size.
          ingested: Math.floor(t.added / watched.windows.length),
          deadLettered: t.deadLetters,
          failures: t.failureReasons,
          ...(t.lastError ? { lastError: t.lastError } : {}),
          documents: watched.documents.counts[o],
          syncLagMs: lagsOf(watched.syncs.last[o]),
        },
      ];
    }),
  ) as Record<Origin, CloudRow>;
}
