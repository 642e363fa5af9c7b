/** GCP sync: a CloudEvent function on the sync topic, which Cloud Scheduler publishes to; pulls AWS and Azure. */
import { type CloudEvent, cloudEvent } from '@google-cloud/functions-framework';
import type { SyncReport } from '../../shared/core/index.ts';
import { syncRuntime } from '../sync-runtime.ts';

const sync = syncRuntime('gcp');

/** Returns the run's report (the platform ignores it; local runners and tests read it, not the log line). */
export async function syncTick(event: CloudEvent<unknown>): Promise<SyncReport> {
  return sync({ invocationId: event.id });
}

cloudEvent('sync', syncTick);
