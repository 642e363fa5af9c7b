/** GCP sync: a CloudEvent function on the sync topic, which Cloud Scheduler publishes to; pulls AWS and Azure. */
import { type CloudEvent, cloudEvent } from '@google-cloud/functions-framework';
import { syncRuntime } from '../sync-runtime.ts';

const sync = syncRuntime('gcp');

export async function syncTick(event: CloudEvent<unknown>): Promise<void> {
  await sync({ invocationId: event.id });
}

cloudEvent('sync', syncTick);
