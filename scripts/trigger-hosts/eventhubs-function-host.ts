/**
 * Runs an Azure Functions Event Hubs trigger (`cardinality: 'many'`) locally the way the Functions host does:
 * receives batches per partition, invokes the handler with the events' bodies and an `InvocationContext` whose
 * trigger metadata carries partition and sequence numbers, applies the function's retry policy to a thrown error,
 * and then checkpoints — after a success *and* after retries run out, as the real host does. That last part is
 * why the handler itself must never give up on a valid record.
 */
import { randomUUID } from 'node:crypto';
import { EventHubConsumerClient, earliestEventPosition, type ReceivedEventData } from '@azure/event-hubs';
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
  handler: (events: unknown[], context: InstanceType<typeof InvocationContext>) => Promise<void>;
  /** Most events per invocation (host.json `maxEventBatchSize`); default 100. */
  maxBatchSize?: number;
  /** The function's retry policy for a thrown error; default: 3 retries, 100 ms apart. */
  retry?: { maxRetryCount: number; delayMs: number };
}

export function startEventHubsFunctionHost(options: EventHubsFunctionHostOptions): TriggerHost {
  const stats: HostStats = { invocations: 0, messages: 0, failedMessages: 0, errors: 0 };
  const retry = options.retry ?? { maxRetryCount: 3, delayMs: 100 };
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
        const triggerMetadata = {
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
            await options.handler(
              events.map((e) => e.body),
              invocation,
            );
            break;
          } catch (error) {
            stats.errors++;
            stats.lastError = error instanceof Error ? error.message : String(error);
            if (attempt === retry.maxRetryCount) stats.failedMessages += events.length;
            else await new Promise((r) => setTimeout(r, retry.delayMs));
          }
        }
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
