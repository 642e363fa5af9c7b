/**
 * Creates the AWS resources of the manifest on an SQS and a DynamoDB endpoint. Idempotent: resources that exist
 * are left as they are (queue attributes are re-applied), so it can run against a long-lived LocalStack too.
 */
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceInUseException,
} from '@aws-sdk/client-dynamodb';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  QueueNameExists,
  SetQueueAttributesCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { type AwsConnection, createDynamoClient, createSqsClient } from '../../shared/clouds/aws/clients.ts';
import { waitUntil } from '../machine/wait-until.ts';
import type { ResourceManifest } from './manifest.ts';

export interface ProvisionedAws {
  queueUrl: string;
  deadLetterQueueUrl: string;
}

async function ensureQueue(
  sqs: SQSClient,
  name: string,
  attributes: Record<string, string>,
): Promise<string> {
  try {
    const created = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
    if (created.QueueUrl !== undefined) return created.QueueUrl;
  } catch (error) {
    // The queue exists with other attributes: keep the queue, apply ours.
    if (!(error instanceof QueueNameExists)) throw error;
  }
  const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: name }));
  if (QueueUrl === undefined) throw new Error(`SQS returned no URL for the queue ${name}.`);
  if (Object.keys(attributes).length > 0) {
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: attributes }));
  }
  return QueueUrl;
}

/** The queue and its dead-letter queue, linked by a redrive policy after `maxReceiveCount` receives. */
export async function provisionSqs(
  connection: AwsConnection,
  manifest: ResourceManifest,
): Promise<ProvisionedAws> {
  const sqs = createSqsClient(connection);
  try {
    const deadLetterQueueUrl = await ensureQueue(sqs, manifest.aws.deadLetterQueue, {});
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: deadLetterQueueUrl, AttributeNames: ['QueueArn'] }),
    );
    const deadLetterArn = Attributes?.QueueArn;
    if (deadLetterArn === undefined)
      throw new Error(`SQS returned no ARN for ${manifest.aws.deadLetterQueue}.`);
    const queueUrl = await ensureQueue(sqs, manifest.aws.queue, {
      VisibilityTimeout: String(manifest.aws.visibilityTimeoutSeconds),
      RedrivePolicy: JSON.stringify({
        deadLetterTargetArn: deadLetterArn,
        maxReceiveCount: String(manifest.aws.maxReceiveCount),
      }),
    });
    return { queueUrl, deadLetterQueueUrl };
  } finally {
    sqs.destroy();
  }
}

/**
 * The aggregates table keyed by document id, with two sparse indexes, all attributes projected:
 * - the changes index sync queries, on slices only: hash `shard` (N), range `changeKey` (S: zero-padded
 *   `updatedAt`, `|`, id — the core's change order as one string), so listing changes since a watermark is one
 *   Query per shard and never a Scan; writers spread slices over shards so no index partition is hot;
 * - the windows index readers query, on windows only: hash `seriesWindow` (S), range `start` (N), so one series'
 *   windows of one size over a time range are one Query reading just those windows.
 * The dead-letters table is keyed by id.
 */
export function aggregatesTableDefinition(manifest: ResourceManifest): CreateTableCommandInput {
  return {
    TableName: manifest.aws.aggregatesTable,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: 'id', AttributeType: 'S' },
      { AttributeName: 'shard', AttributeType: 'N' },
      { AttributeName: 'changeKey', AttributeType: 'S' },
      { AttributeName: 'seriesWindow', AttributeType: 'S' },
      { AttributeName: 'start', AttributeType: 'N' },
    ],
    KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
    GlobalSecondaryIndexes: [
      {
        IndexName: manifest.aws.changesIndex,
        KeySchema: [
          { AttributeName: 'shard', KeyType: 'HASH' },
          { AttributeName: 'changeKey', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
      {
        IndexName: manifest.aws.windowsIndex,
        KeySchema: [
          { AttributeName: 'seriesWindow', KeyType: 'HASH' },
          { AttributeName: 'start', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
    ],
  };
}

export function deadLettersTableDefinition(manifest: ResourceManifest): CreateTableCommandInput {
  return {
    TableName: manifest.aws.deadLettersTable,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
  };
}

async function ensureTable(dynamo: DynamoDBClient, definition: CreateTableCommandInput): Promise<void> {
  try {
    await dynamo.send(new CreateTableCommand(definition));
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  await waitUntil(
    async () => {
      const { Table } = await dynamo.send(new DescribeTableCommand({ TableName: definition.TableName }));
      const indexesActive = (Table?.GlobalSecondaryIndexes ?? []).every((i) => i.IndexStatus === 'ACTIVE');
      return Table?.TableStatus === 'ACTIVE' && indexesActive ? true : undefined;
    },
    {
      description: `the DynamoDB table ${definition.TableName} to become ACTIVE`,
      timeoutMs: 120_000,
      intervalMs: 200,
    },
  );
}

export async function provisionDynamo(connection: AwsConnection, manifest: ResourceManifest): Promise<void> {
  const dynamo = createDynamoClient(connection);
  try {
    await Promise.all([
      ensureTable(dynamo, aggregatesTableDefinition(manifest)),
      ensureTable(dynamo, deadLettersTableDefinition(manifest)),
    ]);
  } finally {
    dynamo.destroy();
  }
}
