/**
 * The pure first half of ingest (DESIGN §4): decode each message, validate its rows, send what is invalid or late
 * to dead letters with a reason, and group the valid records by the window documents they belong to.
 * No I/O, so it is benchmarked and property-tested on its own.
 */
import { decodeMessage, rowOf } from './envelope.ts';
import type { Origin } from './origin.ts';
import type { DeadLetter } from './ports.ts';
import { type DataRecord, validateRow } from './record.ts';
import { type LatenessGate, type WindowSpec, windowStart } from './window.ts';
import { documentId, type WindowKey } from './window-document.ts';

export interface InboundMessage {
  /** The transport's id for the message, stable across redeliveries (SQS messageId, Pub/Sub messageId, …). */
  id: string;
  body: string | Uint8Array;
}

export interface DocumentGroup {
  key: WindowKey;
  records: DataRecord[];
  /** Messages that contributed records: they fail together if this document cannot be written. */
  messageIds: string[];
}

export interface PreparedBatch {
  groups: Map<string, DocumentGroup>;
  deadLetters: DeadLetter[];
  rows: number;
  valid: number;
  invalid: number;
  late: number;
  undecodable: number;
}

export function prepareBatch(
  messages: readonly InboundMessage[],
  origin: Origin,
  windows: readonly WindowSpec[],
  now: number,
  lateness?: LatenessGate,
): PreparedBatch {
  const batch: PreparedBatch = {
    groups: new Map(),
    deadLetters: [],
    rows: 0,
    valid: 0,
    invalid: 0,
    late: 0,
    undecodable: 0,
  };
  const accepted: { messageId: string; batchId: string; row: number; record: DataRecord }[] = [];
  for (const message of messages) {
    const decoded = decodeMessage(message.body);
    if (!decoded.ok) {
      batch.undecodable++;
      batch.deadLetters.push({
        id: message.id,
        origin,
        messageId: message.id,
        reason: decoded.reason,
        payload: payloadText(message.body),
        at: now,
      });
      continue;
    }
    batch.rows += decoded.rows.length;
    decoded.rows.forEach((row, index) => {
      const checked = validateRow(row);
      if (checked.ok) {
        accepted.push({
          messageId: message.id,
          batchId: decoded.batchId,
          row: index,
          record: checked.record,
        });
        lateness?.observe(checked.record.series, checked.record.ts);
      } else {
        batch.invalid++;
        batch.deadLetters.push(
          rowLetter(origin, message.id, decoded.batchId, index, checked.reason, row, now),
        );
      }
    });
  }
  for (const { messageId, batchId, row, record } of accepted) {
    const lateReason = lateness?.judge(record.series, record.ts);
    if (lateReason !== undefined) {
      batch.late++;
      batch.deadLetters.push(rowLetter(origin, messageId, batchId, row, lateReason, rowOf(record), now));
      continue;
    }
    batch.valid++;
    for (const window of windows) {
      const key = {
        series: record.series,
        window: window.name,
        start: windowStart(record.ts, window.sizeMs),
      };
      const id = documentId(key);
      let group = batch.groups.get(id);
      if (!group) {
        group = { key, records: [], messageIds: [] };
        batch.groups.set(id, group);
      }
      group.records.push(record);
      // Records arrive message by message, so comparing with the last id keeps the list free of repeats.
      if (group.messageIds[group.messageIds.length - 1] !== messageId) group.messageIds.push(messageId);
    }
  }
  return batch;
}

function rowLetter(
  origin: Origin,
  messageId: string,
  batchId: string,
  row: number,
  reason: string,
  payload: unknown,
  now: number,
): DeadLetter {
  return {
    id: `${messageId}#${row}`,
    origin,
    messageId,
    batchId,
    row,
    reason,
    payload: JSON.stringify(payload) ?? String(payload),
    at: now,
  };
}

/** The message as text for the dead-letter place; bytes that are not UTF-8 are kept as base64. */
function payloadText(body: string | Uint8Array): string {
  if (typeof body === 'string') return body;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    let binary = '';
    for (const byte of body) binary += String.fromCharCode(byte);
    return `base64:${btoa(binary)}`;
  }
}
