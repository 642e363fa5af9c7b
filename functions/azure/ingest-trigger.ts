/**
 * How the Azure ingest function is triggered, declared once: its Event Hubs binding and the host's retry policy.
 * `ingest.ts` registers the function with both, and the local Event Hubs host (`scripts/trigger-hosts`) applies
 * this same policy, so what runs locally cannot drift from what is deployed.
 */
import type { EventHubTriggerOptions, ExponentialBackoffRetryOptions } from '@azure/functions';

/**
 * Bodies are bound as bytes (`dataType: 'binary'`), so the use case decides what a body means, exactly as on the
 * other clouds. `dataType` is a binding property the v4 types leave out; the worker passes it on to the host as it
 * is.
 */
export const INGEST_TRIGGER = {
  connection: 'EVENTHUB_CONNECTION_STRING',
  eventHubName: '%EVENTHUB_NAME%',
  consumerGroup: '%EVENTHUB_CONSUMER_GROUP%',
  cardinality: 'many',
  dataType: 'binary',
} as const satisfies EventHubTriggerOptions & { dataType: 'binary' };

/**
 * The host's retry of a failed invocation: without end (`-1`), 1 s at first and at most 60 s apart. The host
 * checkpoints once its retries are spent, and Event Hubs has no dead-letter queue, so a bounded count would let
 * a batch go unstored. A second line of defence: the handler already retries its failed messages itself.
 */
export const INGEST_RETRY: ExponentialBackoffRetryOptions = {
  strategy: 'exponentialBackoff',
  maxRetryCount: -1,
  minimumInterval: 1_000,
  maximumInterval: 60_000,
};
