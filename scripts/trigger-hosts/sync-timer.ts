/**
 * The local stand-in for each cloud's scheduler (EventBridge Scheduler, Cloud Scheduler, the Azure timer): runs a
 * sync handler every `intervalMs`, never two runs of one cloud at once (as each platform's single scheduled
 * invocation), and keeps the last report for whoever watches.
 */
import type { SyncReport } from '../../shared/core/index.ts';
import type { HostStats, TriggerHost } from './host-loop.ts';

export interface SyncTimer extends TriggerHost {
  readonly lastReport: SyncReport | undefined;
}

export function startSyncTimer(name: string, run: () => Promise<SyncReport>, intervalMs: number): SyncTimer {
  const stats: HostStats = { invocations: 0, messages: 0, failedMessages: 0, errors: 0 };
  let lastReport: SyncReport | undefined;
  let running: Promise<void> | undefined;
  const tick = () => {
    if (running) return;
    running = (async () => {
      stats.invocations++;
      try {
        lastReport = await run();
        const failed = lastReport.sources.filter((s) => s.error);
        if (failed.length) {
          stats.errors++;
          stats.lastError = failed.map((s) => `${s.source}: ${s.error}`).join('; ');
        }
      } catch (error) {
        stats.errors++;
        stats.lastError = error instanceof Error ? error.message : String(error);
      } finally {
        running = undefined;
      }
    })();
  };
  const timer = setInterval(tick, intervalMs);
  return {
    name,
    stats,
    get lastReport() {
      return lastReport;
    },
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
