/**
 * The three clouds' sync functions as `tricloud dev` runs them: on their schedules while records flow, and on
 * demand for the final rounds. Every entry point returns its run's report, and each one is kept here: the live
 * view's and the timeline's sync lag, the summary's runs and conflicts, and convergence itself are read from the
 * returns — never from the functions' log lines, which `TRICLOUD_LOG_LEVEL` may leave unwritten.
 */
import { ORIGINS, type Origin, type SyncReport } from '../../shared/core/index.ts';
import { type SyncTimer, startSyncTimer } from '../trigger-hosts/sync-timer.ts';

export interface SyncRuns {
  /** Runs `cloud`'s sync function once, now, and keeps its report. */
  run(cloud: Origin): Promise<SyncReport>;
  /** The report of each cloud's latest sync run. */
  readonly last: Partial<Record<Origin, SyncReport>>;
  /** Sync runs that returned a report, per cloud. */
  readonly runs: Record<Origin, number>;
  /** Conditional-write conflicts the sync runs into each cloud met and retried. */
  readonly conflicts: Record<Origin, number>;
  /** Scheduled runs that failed or reported a failing source (each retried by the next run). */
  readonly failedScheduled: number;
  /** Starts each cloud's schedule (one run at a time per cloud, as on its platform). */
  start(): void;
  /** Stops the schedules, waiting for a run in progress. */
  stop(): Promise<void>;
}

export function syncRuns(
  sync: Record<Origin, (tick: number) => Promise<SyncReport>>,
  everyMs: number,
): SyncRuns {
  const zero = () => Object.fromEntries(ORIGINS.map((o) => [o, 0])) as Record<Origin, number>;
  const last: Partial<Record<Origin, SyncReport>> = {};
  const runs = zero();
  const conflicts = zero();
  let tick = 0;
  let timers: SyncTimer[] = [];
  let failedBefore = 0;
  const failedNow = () => timers.reduce((n, t) => n + t.stats.errors, 0);
  const run = async (cloud: Origin) => {
    const report = await sync[cloud](tick++);
    last[cloud] = report;
    runs[cloud]++;
    conflicts[cloud] += report.sources.reduce((n, s) => n + s.conflicts, 0);
    return report;
  };
  return {
    run,
    last,
    runs,
    conflicts,
    get failedScheduled() {
      return failedBefore + failedNow();
    },
    start() {
      timers = ORIGINS.map((o) => startSyncTimer(`sync-${o}`, () => run(o), everyMs));
    },
    async stop() {
      await Promise.all(timers.map((t) => t.stop()));
      failedBefore += failedNow();
      timers = [];
    },
  };
}
