/**
 * What every sync entry point shares: the target cloud's store and the other two as sources, built once per
 * process from the environment, one pass per scheduled invocation, and the run's report as one structured log
 * line in the cloud's native form — documents read, merged, written, conflicts and lag per source as metrics
 * (`<source>LagMs`), so replication lag per pair of clouds is visible in each cloud's own metrics.
 */
import { createStores } from '../shared/clouds/all-stores.ts';
import { systemClock } from '../shared/clouds/system-clock.ts';
import { readStoreSettings, readSyncOptions } from '../shared/config/environment.ts';
import { ORIGINS, type Origin, type SyncReport, syncInto } from '../shared/core/index.ts';
import { type InvocationCorrelation, logInvocation } from '../shared/observability/invocation-log.ts';

export function syncRuntime(target: Origin) {
  let deps: Parameters<typeof syncInto>[0] | undefined;
  return async (correlation: InvocationCorrelation = {}): Promise<SyncReport> => {
    if (!deps) {
      const settings = readStoreSettings();
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
    const { invocationId, ...platform } = correlation;
    const sum = (pick: (s: SyncReport['sources'][number]) => number) =>
      report.sources.reduce((total, s) => total + pick(s), 0);
    const metrics: Record<string, number> = {
      documentsRead: sum((s) => s.read),
      documentsWritten: sum((s) => s.written),
      conflicts: sum((s) => s.conflicts),
      recordConflicts: sum((s) => s.recordConflicts),
      failedSources: failed.length,
      // Slices passed over for a reason of their own (in the report with it), retried every run.
      skippedDocuments: sum((s) => s.skipped.length),
      durationMs: Math.round(report.durationMs),
    };
    for (const s of report.sources)
      if (s.lagMs !== undefined) metrics[`${s.source}LagMs`] = Math.round(s.lagMs);
    logInvocation({
      cloud: target,
      function: 'sync',
      level: failed.length || metrics.skippedDocuments ? 'warn' : 'info',
      message: 'sync',
      time: Date.now(),
      ...(invocationId ? { invocationId } : {}),
      metrics,
      fields: { ...platform, report },
    });
    return report;
  };
}
