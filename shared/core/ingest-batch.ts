/**
 * The pure first half of ingest (DESIGN §4): decode each message, validate its rows, send what is invalid or late
 * to dead letters with a reason, and group the valid records by the window documents they belong to.
 * No I/O, so it is benchmarked and property-tested on its own.
 */
import { decodeMessage, rowOf, rowTexts } from './envelope.ts';
import type { Origin } from './origin.ts';
import type { DeadLetter } from './ports.ts';
import { type DataRecord, validateRow } from './record.ts';
import { type SliceKey, sliceId, sliceOf } from './slice-document.ts';
import { type LatenessGate, type WindowSpec, windowStart } from './window.ts';
import { windowId } from './window-document.ts';

export interface InboundMessage {
  /** The transport's id for the message, stable across redeliveries (SQS messageId, Pub/Sub messageId, …). */
  id: string;
  body: string | Uint8Array;
}

export interface DocumentGroup {
  key: SliceKey;
  /** The id of the window document the slice belongs to. */
  windowId: string;
  records: DataRecord[];
  /** Messages that contributed records: they fail together if this document cannot be written. */
  messageIds: string[];
}

export interface PreparedBatch {
  /** Per slice document id. */
  groups: Map<string, DocumentGroup>;
  deadLetters: DeadLetter[];
  rows: number;
  valid: number;
  invalid: number;
  late: number;
  undecodable: number;
  /** The envelopes' batch ids, distinct, in arrival order: correlation ids for logs (DESIGN §2). */
  batchIds: string[];
}

/** A message whose envelope was read: its rows are still unvalidated. */
export interface DecodedInbound {
  id: string;
  batchId: string;
  rows: readonly unknown[];
  /** The message as received, for a letter if the message cannot be read after all. */
  body?: string | Uint8Array;
  /** The body as text, for letters that keep a row as it was sent. */
  text?: string;
}

/** Decodes, validates and groups one invocation's messages. */
export function prepareBatch(
  messages: readonly InboundMessage[],
  origin: Origin,
  windows: readonly WindowSpec[],
  now: number,
  lateness?: LatenessGate,
): PreparedBatch {
  const decoded: DecodedInbound[] = [];
  const unreadable: DeadLetter[] = [];
  for (const message of messages) {
    const result = decodeMessage(message.body);
    if (result.ok) {
      decoded.push({
        id: message.id,
        batchId: result.batchId,
        rows: result.rows,
        body: message.body,
        text: result.text,
      });
    } else {
      unreadable.push({
        id: message.id,
        origin,
        messageId: message.id,
        reason: result.reason,
        payload: payloadText(message.body),
        at: now,
      });
    }
  }
  const batch = groupRows(decoded, origin, windows, now, lateness);
  batch.undecodable = unreadable.length;
  batch.deadLetters.push(...unreadable);
  return batch;
}

/** Validates decoded rows and groups the valid records by window document. */
export function groupRows(
  messages: readonly DecodedInbound[],
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
    batchIds: [],
  };
  const batchIds = new Set<string>();
  // Groups are found by series, window start and slice: no string is built per record, one id per document.
  const index = windows.map(() => new Map<string, Map<number, Map<number, DocumentGroup>>>());
  const place = (messageIndex: number, record: DataRecord) => {
    batch.valid++;
    const messageId = messages[messageIndex]!.id;
    const slice = sliceOf(record.seq);
    for (let w = 0; w < windows.length; w++) {
      const window = windows[w]!;
      const start = windowStart(record.ts, window.sizeMs);
      let bySeries = index[w]!.get(record.series);
      if (!bySeries) {
        bySeries = new Map();
        index[w]!.set(record.series, bySeries);
      }
      let byStart = bySeries.get(start);
      if (!byStart) {
        byStart = new Map();
        bySeries.set(start, byStart);
      }
      let group = byStart.get(slice);
      if (!group) {
        const key = { series: record.series, window: window.name, start, slice };
        group = { key, windowId: windowId(key), records: [], messageIds: [] };
        byStart.set(slice, group);
        batch.groups.set(sliceId(key), group);
      }
      group.records.push(record);
      // Records arrive message by message, so comparing with the last id keeps the list free of repeats.
      if (group.messageIds[group.messageIds.length - 1] !== messageId) group.messageIds.push(messageId);
    }
  };
  // With a lateness gate, every record of the batch is observed before any is judged, so the order of records
  // inside a batch never decides what is late.
  const held: { messageIndex: number; row: number; record: DataRecord }[] = [];
  for (let m = 0; m < messages.length; m++) {
    const message = messages[m]!;
    batch.rows += message.rows.length;
    batchIds.add(message.batchId);
    // Each message is read on its own: whatever it holds, its failure stays its own.
    const read = readRows(message, origin, now);
    batch.invalid += read.invalid;
    batch.deadLetters.push(...read.letters);
    for (const { row, record } of read.accepted) {
      if (lateness) {
        lateness.observe(record.series, record.ts);
        held.push({ messageIndex: m, row, record });
      } else {
        place(m, record);
      }
    }
  }
  for (const { messageIndex, row, record } of held) {
    const lateReason = lateness?.judge(record.series, record.ts);
    if (lateReason === undefined) {
      place(messageIndex, record);
    } else {
      batch.late++;
      const { id, batchId } = messages[messageIndex]!;
      batch.deadLetters.push(rowLetter(origin, id, batchId, row, lateReason, jsonText(rowOf(record)), now));
    }
  }
  batch.batchIds = [...batchIds];
  return batch;
}

/** Invalid rows of one message kept as letters of their own; the rest are summed up in one more letter. */
export const LETTERS_PER_MESSAGE = 100;

interface ReadRows {
  accepted: { row: number; record: DataRecord }[];
  letters: DeadLetter[];
  invalid: number;
}

/**
 * Validates one message's rows. At most {@link LETTERS_PER_MESSAGE} invalid rows get letters of their own; past
 * that, one letter for the message carries the count per reason and the rows themselves, so a message of a million
 * bad rows costs a hundred and one letters, not a million writes. Anything thrown while reading (a bug, a shape
 * no check foresaw) dead-letters the whole message with the error and takes no record from it.
 */
function readRows(message: DecodedInbound, origin: Origin, now: number): ReadRows {
  const { id, batchId, rows } = message;
  try {
    const accepted: ReadRows['accepted'] = [];
    const letters: DeadLetter[] = [];
    const rest: { row: number; text: string }[] = [];
    const reasons = new Map<string, number>();
    // Rows as sent, found only once a row is refused (rarely): a letter keeps the bytes, not a re-serialisation.
    let sent: string[] | undefined;
    let looked = false;
    const asSent = (i: number): string => {
      if (!looked) {
        looked = true;
        const found = message.text === undefined ? undefined : rowTexts(message.text);
        sent = found?.length === rows.length ? found : undefined;
      }
      return sent === undefined ? jsonText(rows[i]) : sent[i]!;
    };
    for (let i = 0; i < rows.length; i++) {
      const checked = validateRow(rows[i]);
      if (checked.ok) {
        accepted.push({ row: i, record: checked.record });
        continue;
      }
      if (letters.length < LETTERS_PER_MESSAGE) {
        letters.push(rowLetter(origin, id, batchId, i, checked.reason, asSent(i), now));
        continue;
      }
      rest.push({ row: i, text: asSent(i) });
      // Counted by rule, not by the value each reason quotes: "seq must be …", not "…, got -101".
      const rule = checked.reason.split(', got ')[0]!;
      reasons.set(rule, (reasons.get(rule) ?? 0) + 1);
    }
    if (rest.length > 0) letters.push(restLetter(origin, message, rest, reasons, now));
    return { accepted, letters, invalid: letters.length - (rest.length > 0 ? 1 : 0) + rest.length };
  } catch (error) {
    const reason = `the function could not read this message (${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}); none of its records were taken`;
    const payload = message.body === undefined ? '' : payloadText(message.body);
    return {
      accepted: [],
      letters: [{ id, origin, messageId: id, batchId, reason, payload, at: now }],
      invalid: rows.length,
    };
  }
}

/** The letter for a message's invalid rows past the first hundred: counts per reason, and the rows. */
function restLetter(
  origin: Origin,
  message: DecodedInbound,
  rest: readonly { row: number; text: string }[],
  reasons: ReadonlyMap<string, number>,
  now: number,
): DeadLetter {
  const top = [...reasons]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 5)
    .map(([reason, n]) => `${n} × ${reason}`);
  return {
    id: `${message.id}#more`,
    origin,
    messageId: message.id,
    batchId: message.batchId,
    reason:
      `${rest.length} more invalid rows, past the ${LETTERS_PER_MESSAGE} kept one by one; by reason: ${top.join('; ')}. ` +
      'The payload holds them as [row, value] pairs, to correct and replay.',
    payload: `[${rest.map(({ row, text }) => `[${row},${text}]`).join(',')}]`,
    at: now,
  };
}

export function rowLetter(
  origin: Origin,
  messageId: string,
  batchId: string,
  row: number,
  reason: string,
  /** The row as JSON text: as sent where it can be recovered. */
  payload: string,
  now: number,
): DeadLetter {
  return { id: `${messageId}#${row}`, origin, messageId, batchId, row, reason, payload, at: now };
}

/** A value as JSON text, for a letter; anything JSON cannot say is kept as its string form. */
export function jsonText(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}

/** The message as text for the dead-letter place; bytes that are not UTF-8 are kept as base64. */
export function payloadText(body: string | Uint8Array): string {
  if (typeof body === 'string') return body;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    let binary = '';
    for (const byte of body) binary += String.fromCharCode(byte);
    return `base64:${btoa(binary)}`;
  }
}
