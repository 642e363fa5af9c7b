/** Azure sync: a timer trigger that pulls AWS and GCP into Cosmos DB, every minute by default. */
import { app, type InvocationContext, type Timer } from '@azure/functions';
import type { SyncReport } from '../../shared/core/index.ts';
import { syncRuntime } from '../sync-runtime.ts';

const sync = syncRuntime('azure');

/** Returns the run's report (the host ignores it; local runners and tests read it, not the log line). */
export async function syncTimer(_timer: Timer, context: InvocationContext): Promise<SyncReport> {
  return sync({ invocationId: context.invocationId });
}

app.timer('sync', { schedule: '%TRICLOUD_SYNC_SCHEDULE%', handler: syncTimer });
