/**
 * A dead letter as a flat item for any store, with the payload capped below the smallest item limit of the three
 * (DynamoDB 400 KB). Producers pack messages well below it (256 KB), so only foreign, oversized junk is cut; a cut
 * payload says so and keeps its full size, so nobody mistakes it for the whole message.
 */
import type { DeadLetter } from '../core/index.ts';

export const MAX_PAYLOAD_CHARS = 300_000;

export interface DeadLetterItem {
  id: string;
  origin: string;
  messageId: string;
  batchId?: string;
  row?: number;
  reason: string;
  payload: string;
  payloadTruncated: boolean;
  payloadLength: number;
  at: number;
}

export function deadLetterItem(letter: DeadLetter): DeadLetterItem {
  const truncated = letter.payload.length > MAX_PAYLOAD_CHARS;
  return {
    id: letter.id,
    origin: letter.origin,
    messageId: letter.messageId,
    ...(letter.batchId === undefined ? {} : { batchId: letter.batchId }),
    ...(letter.row === undefined ? {} : { row: letter.row }),
    reason: letter.reason,
    payload: truncated ? letter.payload.slice(0, MAX_PAYLOAD_CHARS) : letter.payload,
    payloadTruncated: truncated,
    payloadLength: letter.payload.length,
    at: letter.at,
  };
}
