/** Azure sync: a timer trigger that pulls AWS and GCP into Cosmos DB, every minute by default. */
import { app, type InvocationContext, type Timer } from '@azure/functions';
import { syncRuntime } from '../sync-runtime.ts';

const sync = syncRuntime('azure');

export async function syncTimer(_timer: Timer, context: InvocationContext): Promise<void> {
  await sync({ invocationId: context.invocationId });
}

app.timer('sync', { schedule: '%TRICLOUD_SYNC_SCHEDULE%', handler: syncTimer });
