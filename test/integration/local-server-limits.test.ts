/**
 * Which of the clouds' limits each local server enforces — the evidence behind the "Cloud limits" matrix in
 * docs/LOCAL-STACK.md. Each check runs one request just over (or at) a documented limit through the official SDK.
 * Against a real cloud (TRICLOUD_ENV_FILE) every limit must be enforced; against the local stack the known gaps are
 * pinned, so a server upgrade that closes (or opens) one shows up here. Our Event Hubs server's 1 MB limit is
 * tested in event-hubs-server.test.ts. Everything runs on resources of its own, removed afterwards.
 */
import {
  BatchWriteItemCommand,
  CreateTableCommand,
  DeleteTableCommand,
  PutItemCommand,
  ScanCommand,
  TransactWriteItemsCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import {
  CreateQueueCommand,
  DeleteQueueCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import { afterAll, describe, expect, it } from 'vitest';
import {
  awsSettings,
  azureSettings,
  cosmosClient,
  dynamoClient,
  firestoreClient,
  gcpSettings,
  pubsubClient,
  sqsClient,
  uniqueName,
} from '../setup/cloud-clients.ts';

const cleanups: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
});

const MiB = 1024 * 1024;

describe('SQS (local-aws-sqs)', () => {
  const sqs = sqsClient();
  cleanups.push(async () => sqs.destroy());
  async function queue(): Promise<string> {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: uniqueName('limits') }));
    cleanups.push(() => sqs.send(new DeleteQueueCommand({ QueueUrl })));
    return QueueUrl!;
  }

  it('enforces 1 MiB per message, 10 entries and 1 MiB per batch, with the service’s errors', async () => {
    const QueueUrl = await queue();
    const send = (bytes: number) =>
      sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x'.repeat(bytes) }));
    const batch = (entries: number, bytes: number) =>
      sqs.send(
        new SendMessageBatchCommand({
          QueueUrl,
          Entries: Array.from({ length: entries }, (_, i) => ({
            Id: `${i}`,
            MessageBody: 'x'.repeat(bytes),
          })),
        }),
      );

    await expect(send(MiB)).resolves.toBeDefined();
    await expect(send(MiB + 1)).rejects.toMatchObject({ name: 'InvalidParameterValue' });
    await expect(batch(11, 1)).rejects.toMatchObject({ name: 'TooManyEntriesInBatchRequest' });
    await expect(batch(10, 110_000)).rejects.toMatchObject({ name: 'BatchRequestTooLong' });
  });
});

describe('DynamoDB (dynalite)', () => {
  const dynamo = dynamoClient();
  const local = awsSettings().dynamodbEndpoint !== undefined;
  cleanups.push(async () => dynamo.destroy());
  async function table(): Promise<string> {
    const TableName = uniqueName('limits');
    await dynamo.send(
      new CreateTableCommand({
        TableName,
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    cleanups.push(() => dynamo.send(new DeleteTableCommand({ TableName })));
    return TableName;
  }

  it('enforces 400 KB per item, 25 writes per batch and 1 MB per scan page; has no TTL', async () => {
    const TableName = await table();
    const put = (id: string, bytes: number) =>
      dynamo.send(new PutItemCommand({ TableName, Item: { id: { S: id }, v: { S: 'x'.repeat(bytes) } } }));
    const puts = Array.from({ length: 26 }, (_, i) => ({ PutRequest: { Item: { id: { S: `b${i}` } } } }));

    await expect(put('fits', 409_000)).resolves.toBeDefined();
    await expect(put('over', 409_600)).rejects.toThrow(/Item size has exceeded the maximum allowed size/);
    await expect(
      dynamo.send(new BatchWriteItemCommand({ RequestItems: { [TableName]: puts } })),
    ).rejects.toMatchObject({ name: 'ValidationException' });
    for (const id of ['p0', 'p1', 'p2']) await put(id, 390_000);
    const page = await dynamo.send(new ScanCommand({ TableName }));
    expect(page.LastEvaluatedKey).toBeDefined();
    const ttl = dynamo.send(
      new UpdateTimeToLiveCommand({
        TableName,
        TimeToLiveSpecification: { AttributeName: 'expires', Enabled: true },
      }),
    );
    const transaction = dynamo.send(
      new TransactWriteItemsCommand({ TransactItems: [{ Put: { TableName, Item: { id: { S: 't' } } } }] }),
    );
    // Both sent at once, so both awaited at once: awaiting one first left the other's refusal unhandled whenever it
    // came back sooner (Vitest then fails the run on an unhandled rejection).
    if (local)
      await Promise.all([
        expect(ttl).rejects.toMatchObject({ name: 'UnknownOperationException' }),
        expect(transaction).rejects.toMatchObject({ name: 'UnknownOperationException' }),
      ]);
    else await Promise.all([expect(ttl).resolves.toBeDefined(), expect(transaction).resolves.toBeDefined()]);
  });
});

describe('Pub/Sub (Google’s emulator)', () => {
  const gcp = gcpSettings();
  const local = gcp.pubsubEmulatorHost !== undefined;

  it('refuses an empty message, but not one over 10 MB or attributes over their limits', async () => {
    const pubsub = pubsubClient(gcp);
    cleanups.push(() => pubsub.close());
    const [topic] = await pubsub.createTopic(uniqueName('limits'));
    cleanups.push(() => topic.delete());
    const data = Buffer.from('x');
    const overLimits = [
      { data: Buffer.alloc(10 * MiB + 1) },
      { data, attributes: Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`k${i}`, 'v'])) },
      { data, attributes: { k: 'v'.repeat(1025) } },
      { data, attributes: { ['k'.repeat(257)]: 'v' } },
    ];

    await expect(topic.publishMessage({ data: Buffer.alloc(0) })).rejects.toThrow(/INVALID_ARGUMENT/);
    const outcomes: string[] = [];
    // One at a time: the client would otherwise batch them into one request.
    for (const message of overLimits) {
      outcomes.push(
        await topic.publishMessage(message).then(
          () => 'published',
          (e: Error) => e.message,
        ),
      );
    }
    if (local) expect(outcomes).toEqual(Array(4).fill('published'));
    else expect(outcomes).not.toContain('published');
  });
});

describe('Firestore (Google’s emulator)', () => {
  const gcp = gcpSettings();
  const local = gcp.firestoreEmulatorHost !== undefined;

  it('enforces 1 MiB per document and 1,048,487 bytes per field; allows 501 writes in one batch', async () => {
    const firestore = firestoreClient(gcp);
    cleanups.push(() => firestore.terminate());
    const collection = firestore.collection(uniqueName('limits'));
    cleanups.push(() => firestore.recursiveDelete(collection));
    const batch = firestore.batch();
    for (let i = 0; i < 501; i++) batch.set(collection.doc(`w${i}`), { i });

    await expect(collection.doc('fits').set({ v: 'x'.repeat(1_048_487) })).resolves.toBeDefined();
    await expect(collection.doc('field').set({ v: 'x'.repeat(1_048_488) })).rejects.toThrow(
      /longer than 1048487 bytes/,
    );
    await expect(
      collection.doc('doc').set({ v: 'x'.repeat(600_000), w: 'x'.repeat(500_000) }),
    ).rejects.toThrow(/maximum entity size is 1048576 bytes|exceeds the maximum allowed size/);
    await expect(batch.commit()).resolves.toHaveLength(501);
    // Equality on one field, range and order on another: the real service asks for a composite index.
    const needsIndex = collection.where('j', '==', 1).where('i', '>=', 1).orderBy('i').get();
    if (local) await expect(needsIndex).resolves.toBeDefined();
    else await expect(needsIndex).rejects.toThrow(/FAILED_PRECONDITION|index/);
  });
});

describe('Cosmos DB (@vercel/cosmosdb-server)', () => {
  const azure = azureSettings();
  const local = azure.cosmosTrustSelfSignedCertificate;

  it('does not enforce the 2 MB item limit or TTL; the SDK itself caps a batch at 100 operations', async () => {
    const cosmos = cosmosClient(azure);
    cleanups.push(async () => cosmos.dispose());
    const database = cosmos.database(azure.cosmosDatabase);
    const { container } = await database.containers.createIfNotExists({
      id: uniqueName('limits'),
      partitionKey: { paths: ['/id'] },
      defaultTtl: 1,
    });
    cleanups.push(() => container.delete());

    const large = container.items.create({ id: 'large', v: 'x'.repeat(3_000_000) });
    await container.items.create({ id: 'expires' });
    const operations = Array.from({ length: 101 }, (_, n) => ({
      operationType: 'Create' as const,
      resourceBody: { id: 'p', n },
    }));
    await expect(container.items.batch(operations, 'p')).rejects.toThrow(/more than 100 operations/);
    if (local) {
      await expect(large).resolves.toMatchObject({ statusCode: 201 });
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      await expect(container.item('expires', 'expires').read()).resolves.toMatchObject({ statusCode: 200 });
    } else {
      await expect(large).rejects.toMatchObject({ code: 413 });
    }
  });
});
