/**
 * Azure ingest: an Event Hubs trigger with `cardinality: 'many'`. The host advances its checkpoint even after a
 * failed invocation, and Event Hubs has no per-event dead-letter queue, so this handler never gives up on a valid
 * record: it retries the failed messages itself, with capped exponential backoff, until they are stored.
 * Invalid records never fail: they go to the Cosmos dead-letter container with their reason, and so does a whole
 * message Cosmos DB refused for good (too large, invalid, missing container, forbidden), with that reason — a
 * retry could never store it, and the loop below must not spin on it.
 *
 * The trigger binds event bodies as bytes (`dataType: 'binary'`), so the use case decides what a body means,
 * exactly as on the other clouds. Without it the host parses JSON bodies itself and this handler would have to
 * re-serialise them, which changes values (`1e999` came back as `null`) and drops a byte-order mark.
 */
import { app, type EventHubTriggerOptions, type InvocationContext } from '@azure/functions';
import { createAzureStores } from '../../shared/clouds/azure/azure-stores.ts';
import { systemClock } from '../../shared/clouds/system-clock.ts';
import { readAzureSettings } from '../../shared/config/environment.ts';
import type { InboundMessage } from '../../shared/core/index.ts';
import { ingestRuntime } from '../ingest-runtime.ts';

const MAX_BACKOFF_MS = 30_000;

/** The handler around an ingest runtime; the runtime must dead-letter permanent refusals, or this could loop. */
export function eventHubsIngest(ingest: ReturnType<typeof ingestRuntime>) {
  return (events: unknown[], context: InvocationContext) => ingestWithRetries(ingest, events, context);
}

export const ingestEvents = eventHubsIngest(
  ingestRuntime('azure', () => createAzureStores(readAzureSettings()), { onPermanentFailure: 'dead-letter' }),
);

async function ingestWithRetries(
  ingest: ReturnType<typeof ingestRuntime>,
  events: unknown[],
  context: InvocationContext,
): Promise<void> {
  const meta = context.triggerMetadata ?? {};
  const sequenceNumbers = (meta.sequenceNumberArray as number[] | undefined) ?? [];
  const partition = (meta.partitionContext as { partitionId?: string } | undefined)?.partitionId ?? '?';
  let pending: InboundMessage[] = events.map((body, i) => ({
    // Partition and sequence number identify an event for as long as the hub retains it, across redeliveries.
    id: `${partition}:${sequenceNumbers[i] ?? `${context.invocationId}:${i}`}`,
    body: eventBody(body),
  }));
  for (let attempt = 1; pending.length > 0; attempt++) {
    const { failedMessageIds } = await ingest(pending, {
      invocationId: context.invocationId,
      ...(context.traceContext?.traceParent ? { traceparent: context.traceContext.traceParent } : {}),
      partition,
      attempt,
    });
    const failed = new Set(failedMessageIds);
    pending = pending.filter((m) => failed.has(m.id));
    if (pending.length > 0)
      await systemClock.sleep(Math.min(MAX_BACKOFF_MS, 100 * 2 ** Math.min(attempt, 16)));
  }
}

/**
 * With `dataType: 'binary'` the host hands over each body as a Buffer: the event's bytes, passed on untouched.
 * Text passes too (a caller that already holds the body as a string). Anything else is a body the host parsed, so
 * the binding lost its data type: re-serialising it would change values, so fail loudly instead — the host's retry
 * policy below keeps the batch (no checkpoint) until the binding is fixed.
 */
export function eventBody(body: unknown): string | Uint8Array {
  if (typeof body === 'string' || body instanceof Uint8Array) return body;
  throw new TypeError(
    `The Event Hubs trigger handed over a ${body === null ? 'null' : typeof body} body, not bytes: ` +
      "bind it with dataType 'binary' so no event is parsed and re-serialised on the way.",
  );
}

/** `dataType` is a binding property the v4 types leave out; the worker passes it on to the host as it is. */
const ingestTrigger = {
  connection: 'EVENTHUB_CONNECTION_STRING',
  eventHubName: '%EVENTHUB_NAME%',
  consumerGroup: '%EVENTHUB_CONSUMER_GROUP%',
  cardinality: 'many',
  dataType: 'binary',
} as const satisfies EventHubTriggerOptions & { dataType: 'binary' };

app.eventHub('ingest', {
  ...ingestTrigger,
  // The host's own retry, a second line of defence behind the loop above (which already never gives up).
  retry: {
    strategy: 'exponentialBackoff',
    maxRetryCount: -1,
    minimumInterval: 1_000,
    maximumInterval: 60_000,
  },
  handler: ingestEvents,
});
