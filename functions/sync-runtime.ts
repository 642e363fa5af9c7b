/**
 * What every sync entry point shares: the target cloud's store and the other two as sources, built once per
 * process from the environment, one pass per scheduled invocation, and the run's report as one structured log
 * line — documents read, merged, written, conflicts and lag per source, so replication lag per pair of clouds is
 * visible in each cloud's own logs.
 */
import { createStores } from '../shared/clouds/all-stores.ts';
import { systemClock } from '../shared/clouds/system-clock.ts';
import { readCloudSettings } from '../shared/config/local-env.ts';
import { readSyncOptions } from '../shared/config/sync-settings.ts';
import { ORIGINS, type Origin, type SyncReport, syncInto } from '../shared/core/index.ts';
import { log } from '../shared/observability/log.ts';

export function syncRuntime(target: Origin) {
  let deps: Parameters<typeof syncInto>[0] | undefined;
  return async (correlation: Record<string, unknown> = {}): Promise<SyncReport> => {
    if (!deps) {
      const settings = readCloudSettings();
      const others = ORIGINS.filter((o) => o !== target);
      const [own, ...remote] = await Promise.all([target, ...others].map((o) => createStores(o, settings)));
      deps = {
        target: own!.store,
        sources: others.map((origin, i) => ({ origin, store: remote[i]!.store })),
        clock: systemClock,
      };
    }
    const report = await syncInto(deps, readSyncOptions());
    const failed = report.sources.filter((s) => s.error);
    log(failed.length ? 'warn' : 'info', 'sync', { cloud: target, ...correlation, ...report });
    return report;
  };
}
