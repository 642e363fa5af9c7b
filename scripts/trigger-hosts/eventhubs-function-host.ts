/**
 * Runs an Azure Functions Event Hubs trigger (`cardinality: 'many'`) locally the way the Functions host does:
 * receives batches per partition, invokes the handler with the events' bodies and an `InvocationContext` whose
 * trigger metadata carries partition and sequence numbers, applies the function's retry policy to a thrown error,
 * and then checkpoints — after a success *and* after retries run out, as the real host does. That last part is
 * why the handler itself must never give up on a valid record.
 *
 * Bodies are bound as the function's trigger binds them, `dataType: 'binary'`: each event's data section as a
 * Buffer, byte for byte (the host's `EventData.EventBody`), never JSON-parsed by the SDK on the way.
 */
import { randomUUID } from 'node:crypto';
import {
  EventHubConsumerClient,
  earliestEventPosition,
  type PartitionContext,
  type ReceivedEventData,
} from '@azure/event-hubs';
import azureFunctions from '@azure/functions';

// The package is CommonJS and Node's ESM loader cannot see this class among its named exports.
const { InvocationContext } = azureFunctions;

import { EVENT_HUBS_RETRY } from '../../shared/clouds/azure/event-hubs-retry.ts';
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
  /** The function's retry policy for a thrown error; default: 3 retries, 100 ms apart. */
  retry?: { maxRetryCount: number; delayMs: number };
}

export function startEventHubsFunctionHost(options: EventHubsFunctionHostOptions): TriggerHost {
  const stats: HostStats = { invocations: 0, messages: 0, failedMessages: 0, errors: 0 };
  const client = new EventHubConsumerClient(
    options.consumerGroup,
    options.connectionString,
    options.eventHubName,
    new MemoryCheckpointStore(),
    {
      // One host owns every partition at once, as a single Functions instance does, instead of claiming one
      // partition per 10 s balancing cycle.
      loadBalancingOptions: { strategy: 'greedy', updateIntervalInMs: 1_000 },
      // As the Functions host retries, not with the SDK's 30 s first delay.
      retryOptions: EVENT_HUBS_RETRY,
    },
  );
  const subscription = client.subscribe(
    {
      processEvents: async (events: ReceivedEventData[], context) => {
        if (events.length === 0) return;
        await invokeWithRetries(options, stats, events, context);
        stats.messages += events.length;
        await context.updateCheckpoint(events[events.length - 1]!);
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
    async stop() {
      await subscription.close();
      await client.close();
    },
  };
}

/** One batch through the function and its retry policy; a batch that fails every attempt is counted, not kept. */
async function invokeWithRetries(
  options: EventHubsFunctionHostOptions,
  stats: HostStats,
  events: ReceivedEventData[],
  context: PartitionContext,
): Promise<void> {
  const retry = options.retry ?? { maxRetryCount: 3, delayMs: 100 };
  const triggerMetadata = triggerMetadataOf(events, context);
  for (let attempt = 0; attempt <= retry.maxRetryCount; attempt++) {
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
      return;
    } catch (error) {
      stats.errors++;
      stats.lastError = error instanceof Error ? error.message : String(error);
      if (attempt === retry.maxRetryCount) stats.failedMessages += events.length;
      else await new Promise((r) => setTimeout(r, retry.delayMs));
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
