/**
 * AWS ingest: a Lambda for the SQS event source with `ReportBatchItemFailures`, so only failed messages return
 * to the queue (and, after `maxReceiveCount` receives, to its dead-letter queue).
 */
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { createAwsStores } from '../../shared/clouds/aws/aws-stores.ts';
import { readAwsSettings } from '../../shared/config/environment.ts';
import { ingestRuntime } from '../ingest-runtime.ts';

const ingest = ingestRuntime('aws', () => createAwsStores(readAwsSettings()));

export async function handler(
  event: SQSEvent,
  context?: Pick<Context, 'awsRequestId'>,
): Promise<SQSBatchResponse> {
  const messages = event.Records.map((r) => ({ id: r.messageId, body: r.body }));
  const { failedMessageIds } = await ingest(messages, {
    ...(context?.awsRequestId ? { invocationId: context.awsRequestId } : {}),
  });
  return { batchItemFailures: failedMessageIds.map((itemIdentifier) => ({ itemIdentifier })) };
}
