/**
 * GCP ingest: a CloudEvent function for Pub/Sub (Eventarc delivers one message per event). A failure throws, so
 * the framework answers non-2xx and Pub/Sub redelivers — to the dead-letter topic after max delivery attempts.
 * A message the store refused for good throws a `PermanentStoreError` naming the reason (too large, invalid,
 * missing, forbidden), so the function's log says why it will end in the dead-letter topic.
 */
import { type CloudEvent, cloudEvent } from '@google-cloud/functions-framework';
import { createGcpStores } from '../../shared/clouds/gcp/gcp-stores.ts';
import { readGcpSettings } from '../../shared/config/environment.ts';
import { PermanentStoreError } from '../../shared/core/index.ts';
import { ingestRuntime } from '../ingest-runtime.ts';

/** The `data` of a `google.cloud.pubsub.topic.v1.messagePublished` CloudEvent. */
export interface PubSubMessagePublished {
  message: { data?: string; messageId: string; publishTime?: string; attributes?: Record<string, string> };
  subscription?: string;
}

const ingest = ingestRuntime('gcp', () => createGcpStores(readGcpSettings()));

export async function ingestPubSub(event: CloudEvent<PubSubMessagePublished>): Promise<void> {
  const message = event.data?.message;
  if (!message)
    throw new Error(`CloudEvent ${event.id} carries no Pub/Sub message; is the trigger a Pub/Sub topic?`);
  const body = Buffer.from(message.data ?? '', 'base64');
  const { failedMessageIds, failures, report } = await ingest([{ id: message.messageId, body }], {
    invocationId: event.id,
    ...(typeof event.traceparent === 'string' ? { traceparent: event.traceparent } : {}),
  });
  if (failedMessageIds.length === 0) return;
  const failure = failures.find((f) => f.messageId === message.messageId);
  const error = failure?.error ?? report.firstError;
  if (failure?.permanent) {
    // Thrown all the same: Pub/Sub redelivers up to the subscription's max delivery attempts, then moves the
    // message to the dead-letter topic — the platform's own dead-letter path, as SQS redrive is on AWS.
    throw new PermanentStoreError(
      failure.permanent,
      `message ${message.messageId} was refused for good (${failure.permanent}): ${error}; Pub/Sub moves it to the dead-letter topic after the subscription's max delivery attempts`,
    );
  }
  throw new Error(`message ${message.messageId} was not stored (${error}); Pub/Sub will redeliver it`);
}

cloudEvent('ingest', ingestPubSub);
