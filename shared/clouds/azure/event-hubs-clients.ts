/**
 * Event Hubs clients built from settings, like the other clouds' client factories: the producer (`tricloud
 * produce`, provisioning, tests) and the consumer (the local Functions host). Both retry as the Azure Functions
 * host's own clients do (host.json `clientRetryOptions`: 0.8 s, exponential, at most 60 s, 3 retries), not as the
 * JavaScript SDK does by default, whose first delay of 30 s left a client idle for half a minute after one dropped
 * connection. A module of its own, so code that needs only Cosmos DB (the Azure functions) does not load the
 * Event Hubs SDK.
 */
import {
  type CheckpointStore,
  EventHubConsumerClient,
  type EventHubConsumerClientOptions,
  EventHubProducerClient,
  RetryMode,
  type RetryOptions,
} from '@azure/event-hubs';

export const EVENT_HUBS_RETRY: RetryOptions = {
  mode: RetryMode.Exponential,
  retryDelayInMs: 800,
  maxRetryDelayInMs: 60_000,
  maxRetries: 3,
};

export interface EventHubConnection {
  /** Namespace connection string; `UseDevelopmentEmulator=true` for local servers (plain AMQP, no TLS). */
  eventHubConnectionString: string;
  eventHubName: string;
}

export function createEventHubProducer(c: EventHubConnection): EventHubProducerClient {
  return new EventHubProducerClient(c.eventHubConnectionString, c.eventHubName, {
    retryOptions: EVENT_HUBS_RETRY,
  });
}

/** A consumer of `consumerGroup` that keeps its checkpoints in `checkpoints`; `options` add to the retry above. */
export function createEventHubConsumer(
  c: EventHubConnection & { consumerGroup: string },
  checkpoints: CheckpointStore,
  options: Omit<EventHubConsumerClientOptions, 'retryOptions'> = {},
): EventHubConsumerClient {
  return new EventHubConsumerClient(
    c.consumerGroup,
    c.eventHubConnectionString,
    c.eventHubName,
    checkpoints,
    {
      ...options,
      retryOptions: EVENT_HUBS_RETRY,
    },
  );
}
