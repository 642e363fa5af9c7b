/**
 * Permanent refusals from the real stores of the local stack, through the real adapters: a missing DynamoDB
 * table, a Firestore document id the emulator rejects or a document over its size limit, a missing Cosmos
 * container. Each comes back as a `PermanentStoreError` with the right reason — never as something to retry.
 */
import { type DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { CosmosClient } from '@azure/cosmos';
import type { Firestore } from '@google-cloud/firestore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsStores } from '../../shared/clouds/aws/aws-stores.ts';
import { DynamoDeadLetters } from '../../shared/clouds/aws/dynamo-dead-letters.ts';
import { translateAwsError } from '../../shared/clouds/aws/dynamo-errors.ts';
import { createAzureStores } from '../../shared/clouds/azure/azure-stores.ts';
import { CosmosDeadLetters } from '../../shared/clouds/azure/cosmos-dead-letters.ts';
import { FirestoreDeadLetters } from '../../shared/clouds/gcp/firestore-dead-letters.ts';
import { translateGcpError } from '../../shared/clouds/gcp/firestore-errors.ts';
import { type DeadLetter, PermanentStoreError } from '../../shared/core/index.ts';
import {
  awsSettings,
  azureSettings,
  cosmosClient,
  dynamoClient,
  firestoreClient,
  uniqueName,
} from '../setup/cloud-clients.ts';

const letter = (id: string, reason = 'seq must be an integer from 0 to 2^53 − 1, got 1.5'): DeadLetter => ({
  id,
  origin: 'aws',
  messageId: id,
  reason,
  payload: '["S",1.5,1700000000000,10,1]',
  at: 1_700_000_000_000,
});

async function refusal(promise: Promise<unknown>): Promise<PermanentStoreError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PermanentStoreError);
  return error as PermanentStoreError;
}

describe('DynamoDB', () => {
  let client: DynamoDBClient;
  beforeAll(() => {
    client = dynamoClient();
  });
  afterAll(() => client.destroy());

  it('refuses writes to a missing table for good, naming the table and that provisioning creates it', async () => {
    const table = uniqueName('missing');
    const error = await refusal(new DynamoDeadLetters({ client, table }).put([letter(uniqueName('m'))]));
    expect(error.reason).toBe('missing');
    expect(error.message).toContain(`table ${table} does not exist`);
    expect(error.message).toMatch(/ResourceNotFoundException: ".+"/);
    expect(error.message).toMatch(/Terraform in infra\/aws/);
  });

  it('refuses reads of a missing aggregates table for good, through the store adapter', async () => {
    const stores = createAwsStores({ ...awsSettings(), aggregatesTable: uniqueName('missing') });
    try {
      expect((await refusal(stores.store.read(['S|1m|0']))).reason).toBe('missing');
    } finally {
      stores.close();
    }
  });

  it('translates its refusal of an item over 400 KB as too-large', async () => {
    // The adapters never build such an item (every write is sized first), so the SDK sends it here directly.
    const table = awsSettings().deadLettersTable;
    const put = client.send(
      new PutItemCommand({
        TableName: table,
        Item: { id: { S: uniqueName('m') }, big: { S: 'x'.repeat(450_000) } },
      }),
    );
    const error = await refusal(
      put.catch((e: unknown) => Promise.reject(translateAwsError(e, 'writing', table))),
    );
    expect(error.reason).toBe('too-large');
    expect(error.message).toMatch(/ValidationException: "Item size has exceeded/);
  });
});

describe('Firestore', () => {
  let firestore: Firestore;
  beforeAll(() => {
    firestore = firestoreClient();
  });
  afterAll(() => firestore.terminate());

  it('refuses a reserved document id as invalid', async () => {
    const deadLetters = new FirestoreDeadLetters({ firestore, collection: uniqueName('letters') });
    const error = await refusal(deadLetters.put([letter('__reserved__')]));
    expect(error.reason).toBe('invalid');
    expect(error.message).toMatch(/INVALID_ARGUMENT: ".*reserved/);
  });

  it('translates its refusal of a document over its size limit as too-large', async () => {
    const set = firestore
      .collection(uniqueName('big'))
      .doc('d')
      .set({ big: 'x'.repeat(1_100_000) });
    const error = await refusal(set.catch((e: unknown) => Promise.reject(translateGcpError(e, 'writing'))));
    expect(error.reason).toBe('too-large');
  });
});

describe('Cosmos DB', () => {
  let client: CosmosClient;
  beforeAll(() => {
    client = cosmosClient();
  });
  afterAll(() => client.dispose());

  it('refuses writes and listings of a missing container for good, but reads it as empty', async () => {
    const database = client.database(azureSettings().cosmosDatabase);
    const deadLetters = new CosmosDeadLetters({ database, container: uniqueName('missing') });
    const error = await refusal(deadLetters.put([letter(uniqueName('m'))]));
    expect(error.reason).toBe('missing');
    expect(error.message).toMatch(/Terraform in infra\/azure/);
    expect((await refusal(deadLetters.list()[Symbol.asyncIterator]().next())).reason).toBe('missing');
    // A point read of what is not there is an answer, not a refusal: the SDK returns no resource.
    expect(await deadLetters.read('anything')).toBeUndefined();
  });

  it('refuses a watermark write to a missing sync-state container, through the store adapter', async () => {
    const stores = createAzureStores({ ...azureSettings(), syncStateContainer: uniqueName('missing') });
    try {
      expect(await stores.store.readWatermark('aws')).toBeUndefined();
      const error = await refusal(stores.store.writeWatermark('aws', { updatedAt: 1, id: 'S|1m|0' }));
      expect(error.reason).toBe('missing');
    } finally {
      await stores.close();
    }
  });
});
