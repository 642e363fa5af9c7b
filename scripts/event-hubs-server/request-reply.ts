/**
 * Replies on the AMQP request/response pattern that `$cbs` and `$management` use: the reply goes to the link named
 * by the request's `reply_to`, carries its `message_id` as `correlation_id`, and reports the outcome in the
 * `status-code`, `status-description` and `error-condition` application properties.
 */
import type { AmqpError, Message } from 'rhea';

const statusByCondition: Record<string, number> = {
  'amqp:not-found': 404,
  'amqp:not-implemented': 501,
  'com.microsoft:argument-error': 400,
  'com.microsoft:argument-out-of-range': 400,
};

export function successReply(request: Message, body: unknown, status = 200): Message {
  return {
    to: request.reply_to,
    correlation_id: request.message_id,
    application_properties: { 'status-code': status, 'status-description': 'OK' },
    body,
  };
}

export function errorReply(request: Message, error: AmqpError): Message {
  const condition = String(error.condition);
  return {
    to: request.reply_to,
    correlation_id: request.message_id,
    application_properties: {
      'status-code': statusByCondition[condition] ?? 500,
      'status-description': error.description ?? condition,
      'error-condition': condition,
    },
    body: undefined,
  };
}
