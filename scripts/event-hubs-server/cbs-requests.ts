/**
 * `$cbs`, claims-based security: clients put a token for each entity before attaching to it. The local stack has no
 * secrets to check, so every well-formed `put-token` is granted; other operations are refused.
 */
import type { Message } from 'rhea';
import { invalidArgument } from './amqp-errors.ts';
import { errorReply, successReply } from './request-reply.ts';

export function answerCbsRequest(request: Message): Message {
  const operation: unknown = request.application_properties?.operation;
  if (operation !== 'put-token') {
    return errorReply(
      request,
      invalidArgument(`The $cbs operation '${String(operation)}' is not supported: use put-token.`),
    );
  }
  return successReply(request, undefined, 200);
}
