/** AWS sync: a Lambda invoked by EventBridge Scheduler that pulls GCP and Azure into DynamoDB. */
import { syncRuntime } from '../sync-runtime.ts';
import { loadCosmosKey } from './cosmos-key-secret.ts';

const sync = syncRuntime('aws');

/** Read once per instance, before the first run builds its stores; a failed read is tried again next run. */
let cosmosKey: Promise<void> | undefined;

export async function handler(event: { id?: string } = {}) {
  cosmosKey ??= loadCosmosKey().catch((error: unknown) => {
    cosmosKey = undefined;
    throw error;
  });
  await cosmosKey;
  return sync(event.id ? { invocationId: event.id } : {});
}
