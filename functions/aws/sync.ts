/** AWS sync: a Lambda invoked by EventBridge Scheduler that pulls GCP and Azure into DynamoDB. */
import { syncRuntime } from '../sync-runtime.ts';

const sync = syncRuntime('aws');

export async function handler(event: { id?: string } = {}) {
  return sync(event.id ? { invocationId: event.id } : {});
}
