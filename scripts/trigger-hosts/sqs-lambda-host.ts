/**
 * Runs a Lambda SQS handler locally the way the SQS event source mapping does: long-polls the queue, gathers up
 * to `batchSize` messages within `batchWindowMs`, invokes the handler with an `SQSEvent`, deletes only the
 * messages not named in `batchItemFailures` (all of them stay when the handler throws), and leaves the rest to
 * reappear after the visibility timeout — and, after `maxReceiveCount` receives, to the queue's redrive policy.
 */
import {
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { HostLoop, type HostStats } from './host-loop.ts';

export interface SqsLambdaHostOptions {
  sqs: SQSClient;
  queueUrl: string;
  queueArn?: string;
  region?: string;
  handler: (event: SQSEvent) => Promise<SQSBatchResponse | undefined>;
  /** Most messages per invocation (the mapping's BatchSize); default 10. */
  batchSize?: number;
  /** How long to gather a batch (MaximumBatchingWindowInSeconds, in ms); default 0. */
  batchWindowMs?: number;
  visibilityTimeoutSeconds?: number;
}

export function startSqsLambdaHost(options: SqsLambdaHostOptions): HostLoop {
  const batchSize = options.batchSize ?? 10;
  const batchWindowMs = options.batchWindowMs ?? 0;
  return new HostLoop('sqs-lambda', async (stats: HostStats, isRunning) => {
    const messages: Message[] = [];
    const deadline = Date.now() + batchWindowMs;
    while (isRunning() && messages.length < batchSize) {
      const received = await options.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: options.queueUrl,
          MaxNumberOfMessages: Math.min(10, batchSize - messages.length),
          // Long-poll while the batch is empty; once it has messages, only take what is already there.
          WaitTimeSeconds: messages.length === 0 ? 1 : 0,
          VisibilityTimeout: options.visibilityTimeoutSeconds,
          MessageSystemAttributeNames: ['All'],
          // Servers that predate MessageSystemAttributeNames (local-aws-sqs among them) read the older name.
          AttributeNames: ['All'],
        }),
      );
      messages.push(...(received.Messages ?? []));
      if (!received.Messages?.length || Date.now() >= deadline) break;
    }
    if (messages.length === 0) return false;
    const event: SQSEvent = { Records: messages.map((m) => toRecord(m, options)) };
    let failed: Set<string>;
    try {
      const response = await options.handler(event);
      failed = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
    } catch (error) {
      stats.errors++;
      stats.lastError = error instanceof Error ? error.message : String(error);
      failed = new Set(messages.map((m) => m.MessageId ?? ''));
    }
    stats.invocations++;
    stats.messages += messages.length;
    stats.failedMessages += failed.size;
    const done = messages.filter((m) => !failed.has(m.MessageId ?? ''));
    for (let i = 0; i < done.length; i += 10) {
      await options.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: options.queueUrl,
          Entries: done.slice(i, i + 10).map((m, j) => ({ Id: String(j), ReceiptHandle: m.ReceiptHandle })),
        }),
      );
    }
    return true;
  });
}

function toRecord(m: Message, options: SqsLambdaHostOptions): SQSRecord {
  const attributes = m.Attributes ?? {};
  return {
    messageId: m.MessageId ?? '',
    receiptHandle: m.ReceiptHandle ?? '',
    body: m.Body ?? '',
    attributes: {
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
      SentTimestamp: attributes.SentTimestamp ?? String(Date.now()),
      SenderId: attributes.SenderId ?? 'local',
      ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
    },
    messageAttributes: {},
    md5OfBody: m.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: options.queueArn ?? '',
    awsRegion: options.region ?? 'local',
  };
}
