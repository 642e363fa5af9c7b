/**
 * Azure ingest: an Event Hubs trigger with `cardinality: 'many'` (`ingest-trigger.ts`). The host advances its
 * checkpoint after a failed invocation once its retries are spent, and Event Hubs has no per-event dead-letter
 * queue, so this handler never gives up on a valid record: it retries the failed messages itself, with the core's
 * capped backoff, until they are stored.
 * Invalid records never fail: they go to the Cosmos dead-letter container with their reason, and so does a whole
 * message Cosmos DB refused for good (too large, invalid, missing container, forbidden), with that reason — a
 * retry could never store it, and the loop below must not spin on it.
 *
 * The trigger binds event bodies as bytes (`dataType: 'binary'`), so the use case decides what a body means,
 * exactly as on the other clouds. Without it the host parses JSON bodies itself and this handler would have to
 * re-serialise them, which changes values (`1e999` came back as `null`) and drops a byte-order mark.
 */
import { app, type InvocationContext } from '@azure/functions';
import { createAzureStores } from '../../shared/clouds/azure/azure-stores.ts';
import { systemClock } from '../../shared/clouds/system-clock.ts';
import { readAzureSettings } from '../../shared/config/environment.ts';
import { type BackoffPolicy, backoff, type InboundMessage } from '../../shared/core/index.ts';
import { ingestRuntime } from '../ingest-runtime.ts';
import { INGEST_RETRY, INGEST_TRIGGER } from './ingest-trigger.ts';

/**
 * The wait between the handler's own attempts: up to 200 ms after the first, doubling, never more than 30 s.
 * Attempts never run out here, on purpose (see the top of this file): a message whose store stays down is retried
 * until it is stored or the host stops the invocation (its timeout), and then the host's retry policy invokes the
 * batch again.
 */
const RETRY_BACKOFF: BackoffPolicy = { baseMs: 200, maxMs: 30_000 };

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
    if (pending.length > 0) await backoff(systemClock, attempt, RETRY_BACKOFF, Math.random);
  }
}

/**
 * With `dataType: 'binary'` the host hands over each body as a Buffer: the event's bytes, passed on untouched.
 * Text passes too (a caller that already holds the body as a string). Anything else is a body the host parsed, so
 * the binding lost its data type: re-serialising it would change values, so fail loudly instead — the host's retry
 * policy (`INGEST_RETRY`, without end) keeps the batch (no checkpoint) until the binding is fixed.
 */
export function eventBody(body: unknown): string | Uint8Array {
  if (typeof body === 'string' || body instanceof Uint8Array) return body;
  throw new TypeError(
    `The Event Hubs trigger handed over a ${body === null ? 'null' : typeof body} body, not bytes: ` +
      "bind it with dataType 'binary' so no event is parsed and re-serialised on the way.",
  );
}

app.eventHub('ingest', { ...INGEST_TRIGGER, retry: INGEST_RETRY, handler: ingestEvents });
