/**
 * Retries for our Event Hubs clients (the producer's, the local Functions host's): the Azure Functions host's own
 * defaults (host.json `clientRetryOptions`: 0.8 s, exponential, at most 60 s, 3 retries), not the JavaScript SDK's,
 * whose first delay of 30 s left a client idle for half a minute after one dropped connection.
 */
import { RetryMode, type RetryOptions } from '@azure/event-hubs';

export const EVENT_HUBS_RETRY: RetryOptions = {
  mode: RetryMode.Exponential,
  retryDelayInMs: 800,
  maxRetryDelayInMs: 60_000,
  maxRetries: 3,
};
