/**
 * SQS conformance: the behaviours the AWS entry point and its trigger host rely on, through the official SDK,
 * against whatever SQS the env names (local-aws-sqs by default). Each test works on queues of its own, so it
 * never races another suite for the provisioned queue's messages.
 */
import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadManifest } from '../../scripts/local-stack/manifest.ts';
import { waitUntil } from '../../scripts/machine/wait-until.ts';
import { awsSettings, sqsClient, uniqueName } from '../setup/cloud-clients.ts';

let sqs: SQSClient;
const createdQueues: string[] = [];

async function createQueue(name: string, attributes: Record<string, string> = {}): Promise<string> {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  if (QueueUrl === undefined) throw new Error(`no URL for ${name}`);
  createdQueues.push(QueueUrl);
  return QueueUrl;
}

async function queueArn(queueUrl: string): Promise<string> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
  );
  return Attributes?.QueueArn ?? '';
}

async function receiveOne(queueUrl: string, visibilityTimeout?: number): Promise<Message | undefined> {
  const { Messages } = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: 1,
      WaitTimeSeconds: 1,
      MessageSystemAttributeNames: ['ApproximateReceiveCount'],
      // local-aws-sqs only knows the older parameter (deprecated, still honoured by SQS) for system attributes.
      AttributeNames: ['All'],
      ...(visibilityTimeout !== undefined ? { VisibilityTimeout: visibilityTimeout } : {}),
    }),
  );
  return Messages?.[0];
}

beforeAll(() => {
  sqs = sqsClient();
});

afterAll(async () => {
  for (const QueueUrl of createdQueues) await sqs.send(new DeleteQueueCommand({ QueueUrl })).catch(() => {});
  sqs.destroy();
});

describe('the provisioned queues', () => {
  it('redrive the records queue to its dead-letter queue after maxReceiveCount, with the visibility timeout of the manifest', async () => {
    const manifest = await loadManifest();
    const aws = awsSettings();

    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: aws.queueUrl, AttributeNames: ['All'] }),
    );

    expect(Attributes?.VisibilityTimeout).toBe(String(manifest.aws.visibilityTimeoutSeconds));
    const redrive = JSON.parse(Attributes?.RedrivePolicy ?? '{}') as Record<string, unknown>;
    expect(redrive.deadLetterTargetArn).toBe(await queueArn(aws.deadLetterQueueUrl));
    expect(Number(redrive.maxReceiveCount)).toBe(manifest.aws.maxReceiveCount);
  });
});

describe('messages', () => {
  it('are received with their body and gone once deleted', async () => {
    const queueUrl = await createQueue(uniqueName('conformance-send'));
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: '{"v":1}' }));

    const received = await waitUntil(() => receiveOne(queueUrl), {
      description: 'the message to be received',
      timeoutMs: 30_000,
    });
    await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: received.ReceiptHandle }));

    expect(received.Body).toBe('{"v":1}');
    expect(await receiveOne(queueUrl, 0)).toBeUndefined();
  });

  it('stay invisible for the visibility timeout, then come back with a higher receive count', async () => {
    const queueUrl = await createQueue(uniqueName('conformance-visibility'), { VisibilityTimeout: '2' });
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'again' }));
    const first = await waitUntil(() => receiveOne(queueUrl), {
      description: 'the first receive',
      timeoutMs: 30_000,
    });

    const whileInvisible = await receiveOne(queueUrl);
    const second = await waitUntil(() => receiveOne(queueUrl), {
      description: 'the message to become visible again',
      timeoutMs: 30_000,
    });

    expect(whileInvisible).toBeUndefined();
    expect(second.MessageId).toBe(first.MessageId);
    expect(Number(second.Attributes?.ApproximateReceiveCount)).toBe(2);
  });

  it('come back at once when their visibility is set to zero (how a failed batch item is released)', async () => {
    const queueUrl = await createQueue(uniqueName('conformance-release'), { VisibilityTimeout: '300' });
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'release me' }));
    const first = await waitUntil(() => receiveOne(queueUrl), {
      description: 'the first receive',
      timeoutMs: 30_000,
    });

    await sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: queueUrl,
        ReceiptHandle: first.ReceiptHandle,
        VisibilityTimeout: 0,
      }),
    );
    const again = await waitUntil(() => receiveOne(queueUrl), {
      description: 'the released message',
      timeoutMs: 30_000,
    });

    expect(again.MessageId).toBe(first.MessageId);
  });

  it('move to the dead-letter queue after maxReceiveCount receives without a delete', async () => {
    const maxReceiveCount = 2;
    const deadLetterUrl = await createQueue(uniqueName('conformance-dlq'));
    const queueUrl = await createQueue(uniqueName('conformance-redrive'), {
      RedrivePolicy: JSON.stringify({
        deadLetterTargetArn: await queueArn(deadLetterUrl),
        maxReceiveCount: String(maxReceiveCount),
      }),
    });
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'poison' }));

    const receiveCounts: number[] = [];
    for (let i = 0; i < maxReceiveCount; i++) {
      // Visibility 0: the message is at once available for the next receive, as after a failed invocation.
      const message = await waitUntil(() => receiveOne(queueUrl, 0), {
        description: `receive ${i + 1} of the poison message`,
        timeoutMs: 30_000,
      });
      receiveCounts.push(Number(message.Attributes?.ApproximateReceiveCount));
    }
    // The receive after the last allowed one is what moves the message.
    const afterLimit = await receiveOne(queueUrl, 0);
    const deadLettered = await waitUntil(() => receiveOne(deadLetterUrl), {
      description: 'the message in the dead-letter queue',
      timeoutMs: 30_000,
    });

    expect(receiveCounts).toEqual([1, 2]);
    expect(afterLimit).toBeUndefined();
    expect(deadLettered.Body).toBe('poison');
  });
});
