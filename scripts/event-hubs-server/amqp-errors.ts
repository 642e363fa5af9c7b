/**
 * The AMQP errors this server closes links with and puts in management replies. Conditions and wording follow
 * Event Hubs, because `@azure/core-amqp` maps them to typed errors: `amqp:not-found` whose description says
 * "The messaging entity '…' could not be found" becomes `MessagingEntityNotFoundError`, and
 * `com.microsoft:argument-out-of-range` becomes `ArgumentOutOfRangeError`, and `amqp:link:message-size-exceeded`
 * becomes `MessageTooLargeError`; none of them is retried by the SDK.
 */
import type { AmqpError } from 'rhea';

export function entityNotFound(entity: string): AmqpError {
  return {
    condition: 'amqp:not-found',
    description: `The messaging entity '${entity}' could not be found. Declare it in the local stack's event hubs.`,
  };
}

export function partitionOutOfRange(hub: string, partitionId: string, partitionCount: number): AmqpError {
  return {
    condition: 'com.microsoft:argument-out-of-range',
    description:
      `The specified partition '${partitionId}' is invalid for event hub '${hub}': ` +
      `use a partition id from 0 to ${partitionCount - 1}.`,
  };
}

export function invalidArgument(description: string): AmqpError {
  return { condition: 'com.microsoft:argument-error', description };
}

export function notImplemented(description: string): AmqpError {
  return { condition: 'amqp:not-implemented', description };
}

/** A transfer (one event, or a batch of them) larger than the link allows, worded as Event Hubs words it. */
export function messageSizeExceeded(deliveryId: number, size: number, limit: number): AmqpError {
  return {
    condition: 'amqp:link:message-size-exceeded',
    description:
      `The received message (delivery-id:${deliveryId}, size:${size} bytes) exceeds the limit (${limit} bytes) ` +
      'currently allowed on the link.',
  };
}
