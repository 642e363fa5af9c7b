/**
 * Runs an Azure Functions Event Hubs trigger (`cardinality: 'many'`) locally the way the Functions host does:
 * receives batches per partition, invokes the handler with the events' bodies and an `InvocationContext` whose
 * trigger metadata carries partition and sequence numbers, applies the function's declared retry policy to a
 * thrown error (the ingest function's `INGEST_RETRY` unless told otherwise: without end, 1 s doubling to 60 s),
 * and then checkpoints — after a success *and* after retries run out, as the real host does. That last part is
 * why the handler itself must never give up on a valid record.
 *
 * Bodies are bound as the function's trigger binds them, `dataType: 'binary'`: each event's data section as a
 * Buffer, byte for byte (the host's `EventData.EventBody`), never JSON-parsed by the SDK on the way.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { earliestEventPosition, type PartitionContext, type ReceivedEventData } from '@azure/event-hubs';
import azureFunctions, { type RetryOptions } from '@azure/functions';

// The package is CommonJS and Node's ESM loader cannot see this class among its named exports.
const { InvocationContext } = azureFunctions;

import { INGEST_RETRY } from '../../functions/azure/ingest-trigger.ts';
import { createEventHubConsumer } from '../../shared/clouds/azure/event-hubs-clients.ts';
import { type RetrySchedule, retrySchedule } from './function-retry.ts';
import type { HostStats, TriggerHost } from './host-loop.ts';
import { MemoryCheckpointStore } from './memory-checkpoint-store.ts';

export interface EventHubsFunctionHostOptions {
  connectionString: string;
  eventHubName: string;
  consumerGroup: string;
  /** Called with one Buffer per event, as the Functions host binds a `dataType: 'binary'` trigger. */
  handler: (events: unknown[], context: InstanceType<typeof InvocationContext>) => Promise<void>;
  /** Most events per invocation (host.json `maxEventBatchSize`); default 100. */
  maxBatchSize?: number;
  /** The function's retry policy for a thrown error, as the function declares it; default the ingest function's. */
  retry?: RetryOptions;
  /** Waits `ms` between retries, or less when `signal` aborts (the host stopping); default a real timer. */
  wait?: (ms: number, signal: AbortSignal) => Promise<void>;
}

export function startEventHubsFunctionHost(options: EventHubsFunctionHostOptions): TriggerHost {
  const stats: HostStats = { invocations: 0, messages: 0, failedMessages: 0, errors: 0 };
  const retry = options.retry ?? INGEST_RETRY;
  const invoker: Invoker = {
    options,
    stats,
    retry: { ...retrySchedule(retry), maxRetryCount: retry.maxRetryCount },
    wait: options.wait ?? ((ms, signal) => delay(ms, undefined, { signal }).catch(() => {})),
    stopping: new AbortController(),
  };
  const inFlight = new Set<Promise<void>>();
  const client = createEventHubConsumer(
    {
      eventHubConnectionString: options.connectionString,
      eventHubName: options.eventHubName,
      consumerGroup: options.consumerGroup,
    },
    new MemoryCheckpointStore(),
    // One host owns every partition at once, as a single Functions instance does, instead of claiming one
    // partition per 10 s balancing cycle.
    { loadBalancingOptions: { strategy: 'greedy', updateIntervalInMs: 1_000 } },
  );
  const subscription = client.subscribe(
    {
      processEvents: async (events: ReceivedEventData[], context) => {
        if (events.length === 0 || invoker.stopping.signal.aborted) return;
        const batch = processBatch(invoker, events, context);
        inFlight.add(batch);
        await batch.finally(() => inFlight.delete(batch));
      },
      processError: async (error) => {
        stats.errors++;
        stats.lastError = error.message;
      },
    },
    {
      startPosition: earliestEventPosition,
      maxBatchSize: options.maxBatchSize ?? 100,
      maxWaitTimeInSeconds: 1,
      // Bodies stay bytes: the SDK would otherwise JSON.parse every body that parses (`1e999` → Infinity).
      skipParsingBodyAsJson: true,
    },
  );
  return {
    name: 'eventhubs-function',
    stats,
    /** Ends a retry wait at once; a batch stopped between retries is not checkpointed, as on a host shutting down. */
    async stop() {
      invoker.stopping.abort();
      await Promise.allSettled([...inFlight]);
      await subscription.close();
      await client.close();
    },
  };
}

interface Invoker {
  options: EventHubsFunctionHostOptions;
  stats: HostStats;
  retry: RetrySchedule & { maxRetryCount: number };
  wait: (ms: number, signal: AbortSignal) => Promise<void>;
  stopping: AbortController;
}

/** One batch through the function and its retry policy, then its checkpoint (unless the host stopped first). */
async function processBatch(
  invoker: Invoker,
  events: ReceivedEventData[],
  context: PartitionContext,
): Promise<void> {
  const settled = await invokeWithRetries(invoker, events, context);
  if (!settled) return;
  invoker.stats.messages += events.length;
  await context.updateCheckpoint(events[events.length - 1]!);
}

/**
 * Invokes the function until it succeeds or the policy's retries run out (a batch that fails every attempt is
 * counted, and checkpointed all the same); false when the host stopped while waiting to retry.
 */
async function invokeWithRetries(
  { options, stats, retry, wait, stopping }: Invoker,
  events: ReceivedEventData[],
  context: PartitionContext,
): Promise<boolean> {
  const triggerMetadata = triggerMetadataOf(events, context);
  for (let attempt = 0; ; attempt++) {
    stats.invocations++;
    try {
      const invocation = new InvocationContext({
        invocationId: randomUUID(),
        functionName: 'ingest',
        triggerMetadata,
        retryContext: { retryCount: attempt, maxRetryCount: retry.maxRetryCount },
        logHandler: () => {},
      });
      // Binding is part of the invocation: a body the binding cannot read fails it, as on the host.
      await options.handler(events.map(binaryEventBody), invocation);
      return true;
    } catch (error) {
      stats.errors++;
      stats.lastError = error instanceof Error ? error.message : String(error);
      if (attempt >= retry.maxRetries) {
        stats.failedMessages += events.length;
        return true;
      }
      await wait(retry.delayBefore(attempt + 1), stopping.signal);
      if (stopping.signal.aborted) return false;
    }
  }
}

function triggerMetadataOf(events: ReceivedEventData[], context: PartitionContext) {
  return {
    partitionContext: {
      partitionId: context.partitionId,
      consumerGroup: context.consumerGroup,
      eventHubName: context.eventHubName,
    },
    sequenceNumberArray: events.map((e) => e.sequenceNumber),
    offsetArray: events.map((e) => e.offset),
    enqueuedTimeUtcArray: events.map((e) => e.enqueuedTimeUtc.toISOString()),
    partitionKeyArray: events.map((e) => e.partitionKey),
  };
}

/**
 * An event's body as a `dataType: 'binary'` trigger binds it: the bytes of its data section(s), concatenated, as
 * `EventData.EventBody` reads them (an empty data section is an empty Buffer). The consumer must have been
 * subscribed with `skipParsingBodyAsJson`. A value or sequence body (not what `@azure/event-hubs` producers send)
 * has no bytes to bind: the real host fails the invocation with a NotSupportedException, and so does this.
 */
export function binaryEventBody(event: ReceivedEventData): Buffer {
  const { bodyType } = event.getRawAmqpMessage();
  if (bodyType !== undefined && bodyType !== 'data') {
    throw new TypeError(
      `Event ${event.sequenceNumber} has an AMQP ${bodyType} body, which a dataType 'binary' trigger cannot bind: ` +
        'send the body as bytes (a data section).',
    );
  }
  const body: unknown = event.body;
  if (body === null || body === undefined) return Buffer.alloc(0);
  if (Array.isArray(body)) return Buffer.concat(body.map((part) => toBuffer(part, event)));
  return toBuffer(body, event);
}

function toBuffer(part: unknown, event: ReceivedEventData): Buffer {
  if (Buffer.isBuffer(part)) return part;
  if (part instanceof Uint8Array) return Buffer.from(part.buffer, part.byteOffset, part.byteLength);
  throw new TypeError(
    `Event ${event.sequenceNumber} reached the host with a parsed body: subscribe with skipParsingBodyAsJson.`,
  );
}
