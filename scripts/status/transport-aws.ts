/**
 * SQS as status sees it: the records queue's messages waiting and in flight, and its dead-letter queue's depth,
 * from `GetQueueAttributes` (SQS's own approximate counts, the same locally and in AWS).
 */
import { GetQueueAttributesCommand, type QueueAttributeName, type SQSClient } from '@aws-sdk/client-sqs';
import { createSqsClient } from '../../shared/clouds/aws/clients.ts';
import type { AwsSettings } from '../../shared/clouds/settings.ts';
import type { TransportStatus } from './status-model.ts';

export interface TransportProbe {
  check(signal: AbortSignal): Promise<TransportStatus>;
  close(): void | Promise<void>;
}

const COUNTS: QueueAttributeName[] = [
  'ApproximateNumberOfMessages',
  'ApproximateNumberOfMessagesNotVisible',
  'ApproximateNumberOfMessagesDelayed',
];

export function awsTransportProbe(settings: AwsSettings): TransportProbe {
  const sqs = createSqsClient(settings);
  return {
    async check(signal) {
      const [queue, deadLetters] = await Promise.all([
        queueCounts(sqs, settings.queueUrl, signal),
        queueCounts(sqs, settings.deadLetterQueueUrl, signal),
      ]);
      return {
        kind: 'SQS',
        backlog: queue.visible + queue.delayed,
        inFlight: queue.inFlight,
        deadLetterDepth: deadLetters.visible + deadLetters.delayed + deadLetters.inFlight,
      };
    },
    close: () => sqs.destroy(),
  };
}

async function queueCounts(sqs: SQSClient, queueUrl: string, signal: AbortSignal) {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: COUNTS }),
    { abortSignal: signal },
  );
  const n = (name: string) => Number(Attributes[name as QueueAttributeName] ?? 0);
  return {
    visible: n('ApproximateNumberOfMessages'),
    inFlight: n('ApproximateNumberOfMessagesNotVisible'),
    delayed: n('ApproximateNumberOfMessagesDelayed'),
  };
}

/** What AWS (or the local servers standing in for it) cannot tell status. */
export function awsNotes(local: boolean): string[] {
  return [
    local
      ? 'function errors and throttles: a local server has no CloudWatch (the local trigger host counts failed messages in tricloud dev)'
      : 'function errors and throttles are CloudWatch metrics (Lambda Errors, Throttles), which status does not read',
    'SQS counts are approximate: SQS itself reports them so',
  ];
}
