/**
 * The run's timeline for `--report`: every second, per cloud, the records its ingest function has read so far
 * (from its metric lines) and its store's sync lag behind each other cloud (from the sync runs' returned reports)
 * — the series the report draws as throughput and lag.
 */
import { ORIGINS, type Origin, type SyncReport } from '../../shared/core/index.ts';
import type { TimelineSample } from '../report/write-report.ts';
import type { FunctionTelemetry } from './function-telemetry.ts';
import type { SyncRuns } from './sync-runs.ts';

export interface Timeline {
  readonly samples: TimelineSample[];
  stop(): void;
}

/**
 * Lag of a store behind each source after its last sync run (`report`): what the run applied, or 0 when it found
 * nothing new (caught up); absent before the first run and while a source fails.
 */
export function lagsOf(report: SyncReport | undefined): Partial<Record<Origin, number>> {
  const lags: Partial<Record<Origin, number>> = {};
  for (const s of report?.sources ?? []) {
    if (s.error) continue;
    // A run that only re-read its overlap brought nothing new: caught up, whatever its newest document's age.
    lags[s.source] = s.merged === 0 && s.complete ? 0 : (s.lagMs ?? 0);
  }
  return lags;
}

export function sampleTimeline(
  telemetry: FunctionTelemetry,
  syncs: Pick<SyncRuns, 'last'>,
  elapsedMs: () => number,
  everyMs = 1_000,
): Timeline {
  const samples: TimelineSample[] = [];
  const sample = () => {
    const t = Math.round(elapsedMs());
    for (const cloud of ORIGINS)
      samples.push({
        t,
        cloud,
        ingestedRecords: telemetry.totals[cloud].records,
        syncLagMs: lagsOf(syncs.last[cloud]),
      });
  };
  sample();
  const timer = setInterval(sample, everyMs);
  return {
    samples,
    stop() {
      clearInterval(timer);
      sample();
    },
  };
}
