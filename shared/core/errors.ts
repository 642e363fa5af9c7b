/**
 * The errors the core understands. Adapters translate the provider failures the core acts on into these at the
 * edge (a DynamoDB `ConditionalCheckFailedException`, a Firestore `FAILED_PRECONDITION`, a Cosmos 412 all become a
 * {@link ConflictError}) and pass any other error on unchanged, which the core does not retry in place (`ports.ts`).
 */
export class TricloudError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TricloudError';
  }
}

/** A conditional write lost: the document changed since it was read. Re-read and retry. */
export class ConflictError extends TricloudError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ConflictError';
  }
}

/** The store refused the request for load (throttling, rate limits). Back off and retry. */
export class ThrottledError extends TricloudError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ThrottledError';
  }
}

/** The store could not be reached or failed transiently (network, 5xx, emulator down). Retry later. */
export class UnavailableError extends TricloudError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UnavailableError';
  }
}

/** Configuration is missing or wrong. Not retryable: the message says what to set. */
export class ConfigError extends TricloudError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ConfigError';
  }
}

/** Why a store refused a request for good: retrying the same request cannot succeed. */
export type PermanentReason = 'too-large' | 'invalid' | 'missing' | 'forbidden';

/**
 * The store refused the request and would refuse it again (item too large, validation, missing table or
 * container, permission denied). Never retried: the message names the store's words and what to do.
 */
export class PermanentStoreError extends TricloudError {
  readonly reason: PermanentReason;
  constructor(reason: PermanentReason, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PermanentStoreError';
    this.reason = reason;
  }
}

/** Errors worth retrying after a pause: contention, throttling and transient unavailability. */
export function isTransient(error: unknown): boolean {
  return (
    error instanceof ConflictError || error instanceof ThrottledError || error instanceof UnavailableError
  );
}
