/** The AWS side of the ports, from settings: the DynamoDB store and dead letters, sharing one client. */
import type { AwsStoreSettings } from '../settings.ts';
import { createDynamoClient } from './clients.ts';
import { DynamoDeadLetters } from './dynamo-dead-letters.ts';
import { DynamoStore } from './dynamo-store.ts';

export function createAwsStores(settings: AwsStoreSettings) {
  const client = createDynamoClient(settings);
  return {
    store: new DynamoStore({ client, table: settings.aggregatesTable, changesIndex: settings.changesIndex }),
    deadLetters: new DynamoDeadLetters({ client, table: settings.deadLettersTable }),
    close: () => client.destroy(),
  };
}
