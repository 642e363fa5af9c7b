/**
 * A dead letter as a flat item for any store, sized in bytes so the whole item stays under {@link MAX_ITEM_BYTES}
 * (DESIGN §2 "Bounded": DynamoDB allows 400 KB, Firestore 1 MiB, Cosmos DB 2 MB), and the batching every sink
 * shares, so no number of letters is written at once.
 *
 * Sizes are counted as a store counts them, in bytes: UTF-8, plus JSON's escapes (Cosmos DB stores JSON text, where
 * a control character takes up to six bytes), so one bound holds for all three stores. A reason is cut at
 * {@link MAX_REASON_BYTES} and ends with an ellipsis; a payload gets what is left of the item, is cut on a character
 * boundary, says so (`payloadTruncated`) and keeps its original size in bytes, so nobody mistakes it for the
 * whole message. Producers pack messages at 256 KB, so in practice only foreign, oversized junk is cut.
 */
import type { DeadLetter } from '../core/index.ts';

/** The largest a stored letter may be, every field and the store's own overhead included. */
export const MAX_ITEM_BYTES = 350_000;
/** The largest a reason may be; a longer one is cut and ends with `…`. */
export const MAX_REASON_BYTES = 2_048;
/** The largest a message id or batch id may be; they come from transports and producers we do not control. */
export const MAX_REF_BYTES = 1_024;
/**
 * Room for what is not text of ours: attribute names, numbers and flags, Cosmos DB's system properties (`_rid`,
 * `_self`, `_etag`, `_ts`, …), Firestore's document name and per-field overhead.
 */
const ITEM_OVERHEAD_BYTES = 1_024;
const ELLIPSIS = '…';
/** Control characters JSON writes in two bytes: \b \t \n \f \r. */
const SHORT_ESCAPES = new Set([0x08, 0x09, 0x0a, 0x0c, 0x0d]);

export interface DeadLetterItem {
  id: string;
  origin: string;
  messageId: string;
  batchId?: string;
  row?: number;
  reason: string;
  payload: string;
  payloadTruncated: boolean;
  /** The original payload's size in UTF-8 bytes (not characters), whether or not it was cut. */
  payloadLength: number;
  at: number;
}

/**
 * Reading a dead-letter place back, for inspection and replay (`tricloud dead-letters`, `tricloud status`): every
 * cloud's sink reads its letters as the items it stored, ids as the letters had them.
 */
export interface DeadLetterReader {
  /** One letter by its id; undefined when there is none. */
  read(id: string): Promise<DeadLetterItem | undefined>;
  /**
   * Every letter (with `since`, those whose `at` is at or after it, filtered by the store), in the store's own
   * order, page by page: memory follows the page, not the store.
   */
  list(options?: DeadLetterListOptions): AsyncIterable<DeadLetterItem>;
}

export interface DeadLetterListOptions {
  /** Epoch ms: only letters written at or after it. */
  since?: number;
}

export interface SizedDeadLetterItem {
  item: DeadLetterItem;
  /** An upper bound on the item's size in any of the three stores, in bytes; at most {@link MAX_ITEM_BYTES}. */
  bytes: number;
}

export function deadLetterItem(letter: DeadLetter): DeadLetterItem {
  return sizedDeadLetterItem(letter).item;
}

export function sizedDeadLetterItem(letter: DeadLetter): SizedDeadLetterItem {
  const reason = cutText(letter.reason, MAX_REASON_BYTES, ELLIPSIS);
  const messageId = cutText(letter.messageId, MAX_REF_BYTES, ELLIPSIS);
  const batchId = letter.batchId === undefined ? undefined : cutText(letter.batchId, MAX_REF_BYTES, ELLIPSIS);
  // Firestore and Cosmos DB store the id URI-encoded: at most three bytes for each of its UTF-8 bytes.
  const fixed =
    ITEM_OVERHEAD_BYTES +
    3 * Buffer.byteLength(letter.id, 'utf8') +
    storedBytes(letter.origin) +
    messageId.bytes +
    (batchId?.bytes ?? 0) +
    reason.bytes;
  const payload = cutText(letter.payload, Math.max(0, MAX_ITEM_BYTES - fixed));
  const item: DeadLetterItem = {
    id: letter.id,
    origin: letter.origin,
    messageId: messageId.text,
    ...(batchId === undefined ? {} : { batchId: batchId.text }),
    ...(letter.row === undefined ? {} : { row: letter.row }),
    reason: reason.text,
    payload: payload.text,
    payloadTruncated: payload.truncated,
    payloadLength: payload.truncated ? Buffer.byteLength(letter.payload, 'utf8') : payload.utf8Bytes,
    at: letter.at,
  };
  return { item, bytes: fixed + payload.bytes };
}

export interface CutText {
  text: string;
  truncated: boolean;
  /** The kept text's stored size: UTF-8 bytes plus JSON escapes. */
  bytes: number;
  /** The kept text's plain UTF-8 size. */
  utf8Bytes: number;
}

/**
 * Keeps the longest prefix of `text` whose stored size (UTF-8 plus JSON escapes) fits `maxBytes`, never splitting a
 * character (a surrogate pair stays whole). With a `marker`, a cut text ends with it, the marker counted in.
 */
export function cutText(text: string, maxBytes: number, marker = ''): CutText {
  const markerBytes = storedBytes(marker);
  const room = maxBytes - markerBytes;
  let bytes = 0;
  let utf8 = 0;
  // The last boundary where the marker still fits after the text, should the text need cutting further on.
  let keptAt = 0;
  let keptBytes = 0;
  let keptUtf8 = 0;
  for (let i = 0; i < text.length; ) {
    const code = text.charCodeAt(i);
    const pair = code >= 0xd800 && code <= 0xdbff && isLowSurrogate(text.charCodeAt(i + 1));
    const cost = pair ? 4 : unitCost(code);
    if (bytes + cost > maxBytes) {
      if (room < 0) return { text: '', truncated: true, bytes: 0, utf8Bytes: 0 };
      const utf8Bytes = keptUtf8 + Buffer.byteLength(marker, 'utf8');
      return {
        text: text.slice(0, keptAt) + marker,
        truncated: true,
        bytes: keptBytes + markerBytes,
        utf8Bytes,
      };
    }
    bytes += cost;
    utf8 += pair ? 4 : utf8Cost(code);
    i += pair ? 2 : 1;
    if (bytes <= room) {
      keptAt = i;
      keptBytes = bytes;
      keptUtf8 = utf8;
    }
  }
  return { text, truncated: false, bytes, utf8Bytes: utf8 };
}

/** A text's size as stored: its UTF-8 bytes, plus the backslashes and `\u00XX` forms JSON adds. */
export function storedBytes(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff && isLowSurrogate(text.charCodeAt(i + 1))) {
      bytes += 4;
      i++;
    } else {
      bytes += unitCost(code);
    }
  }
  return bytes;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

/** One UTF-16 unit (not half of a pair) as stored in JSON text. */
function unitCost(code: number): number {
  if (code === 0x22 || code === 0x5c) return 2; // \" and \\
  if (code < 0x20) return SHORT_ESCAPES.has(code) ? 2 : 6; // \n, \t, … or \u00XX
  if (code >= 0xd800 && code <= 0xdfff) return 6; // a lone surrogate: JSON writes \udXXX
  return utf8Cost(code);
}

/** One UTF-16 unit (not half of a pair) in UTF-8; a lone surrogate becomes U+FFFD, three bytes. */
function utf8Cost(code: number): number {
  if (code < 0x80) return 1;
  if (code < 0x800) return 2;
  return 3;
}

/** What one write request of a store may carry. */
export interface BatchLimits {
  maxItems: number;
  maxBytes: number;
}

/**
 * The letters as items in batches within a store's limits, each made only when its batch is asked for. A batch
 * never holds one id twice (DynamoDB refuses such a batch): a repeated id starts the next batch.
 */
export function* deadLetterBatches(
  letters: readonly DeadLetter[],
  limits: BatchLimits,
): Generator<DeadLetterItem[], void, undefined> {
  let batch: DeadLetterItem[] = [];
  let bytes = 0;
  let ids = new Set<string>();
  for (const letter of letters) {
    const sized = sizedDeadLetterItem(letter);
    const full = batch.length >= limits.maxItems || bytes + sized.bytes > limits.maxBytes;
    if (batch.length > 0 && (full || ids.has(sized.item.id))) {
      yield batch;
      batch = [];
      bytes = 0;
      ids = new Set();
    }
    batch.push(sized.item);
    bytes += sized.bytes;
    ids.add(sized.item.id);
  }
  if (batch.length > 0) yield batch;
}
