/**
 * The message envelope (DESIGN §2): many records per message, compact, versioned.
 *
 *     {"v":1,"b":"<batch id>","r":[["BTCUSDT",4182,1700000000123,37000.5,0.01], …]}
 *
 * Rows instead of objects halve the bytes per record, so each transport request carries twice the records.
 * The batch id ties a message to the producer's run in logs and dead letters; identity of records stays
 * `(series, seq)`, so a re-sent message with a new batch id still counts once.
 */
import { type DataRecord, type RecordRow, show } from './record.ts';

export const ENVELOPE_VERSION = 1;

export type DecodedMessage =
  | {
      ok: true;
      batchId: string;
      rows: unknown[];
      /** The body as text, from which {@link rowTexts} recovers each row exactly as sent. */
      text: string;
    }
  | { ok: false; reason: string };

export function rowOf(r: DataRecord): RecordRow {
  return [r.series, r.seq, r.ts, r.value, r.qty];
}

// `ignoreBOM: true` keeps a byte-order mark in the text, so bytes and strings meet the same rule below.
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Largest body read: Pub/Sub's 10 MB, the largest message any of the three transports carries. */
export const MAX_MESSAGE_BYTES = 10_000_000;
/** Deepest JSON nesting read: an envelope is 3 levels (`{"r":[[…]]}`); the margin leaves room for bad rows. */
export const MAX_NESTING = 16;
const BOM = '\uFEFF';

export function encodeMessage(batchId: string, records: readonly DataRecord[]): string {
  return envelopeHead(batchId) + records.map((r) => JSON.stringify(rowOf(r))).join(',') + ENVELOPE_TAIL;
}

/**
 * Decodes a message body. Never throws: anything unreadable becomes a reason for the dead-letter place. Bounded
 * before parsing — size, then nesting depth, in one pass over the text — so no body can exhaust the stack of the
 * parser or of anything that walks the value later (validation, a reason, a letter). A leading UTF-8 byte-order
 * mark is dropped, whether the transport hands over bytes or a string: the same bytes mean the same on every
 * cloud (RFC 8259 lets a parser ignore it; Windows tools write it).
 */
export function decodeMessage(body: string | Uint8Array): DecodedMessage {
  const size = typeof body === 'string' ? body.length : body.byteLength;
  if (size > MAX_MESSAGE_BYTES) {
    return {
      ok: false,
      reason: `the message body is ${size} bytes, over the ${MAX_MESSAGE_BYTES} any of the three transports carries; producers pack at most 256 KiB`,
    };
  }
  let text: string;
  try {
    text = typeof body === 'string' ? body : decoder.decode(body);
  } catch {
    return { ok: false, reason: 'the message body is not valid UTF-8 text; producers send JSON envelopes' };
  }
  if (text.startsWith(BOM)) text = text.slice(1);
  const depth = nestingDepth(text, MAX_NESTING);
  if (depth > MAX_NESTING) {
    return {
      ok: false,
      reason: `the message nests JSON more than ${MAX_NESTING} levels deep; an envelope is 3 levels deep ({"v":1,"b":…,"r":[[…]]})`,
    };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return { ok: false, reason: `the message body is not valid JSON (${(error as Error).message})` };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { ok: false, reason: 'the message body must be a JSON object envelope {"v":1,"b":…,"r":[…]}' };
  }
  const { v, b, r } = parsed as { v?: unknown; b?: unknown; r?: unknown };
  if (v !== ENVELOPE_VERSION) {
    return {
      ok: false,
      reason: `unknown envelope version ${v === undefined ? 'missing' : show(v)}; this function reads version ${ENVELOPE_VERSION}: upgrade the functions before the producers`,
    };
  }
  if (typeof b !== 'string' || b.length === 0 || b.length > 128) {
    return { ok: false, reason: 'the envelope needs a batch id "b": a string of 1-128 characters' };
  }
  if (!Array.isArray(r)) return { ok: false, reason: 'the envelope needs "r": an array of record rows' };
  return { ok: true, batchId: b, rows: r, text };
}

/**
 * Each element of the envelope's top-level `"r"` array as the text it was sent as — what a dead letter keeps, so a
 * `1e999` or a seq past 2^53 stays as written instead of what parsing made of it. Only for text that parsed as an
 * envelope; one pass, iterative. Undefined when the array cannot be found (a key written with escapes).
 */
export function rowTexts(text: string): string[] | undefined {
  let depth = 0;
  let inString = false;
  let stringStart = 0;
  let lastKey: string | undefined;
  let rows: string[] | undefined;
  let rowStart = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++;
      else if (c === 34) {
        inString = false;
        if (depth === 1) lastKey = text.slice(stringStart, i);
      }
      continue;
    }
    if (c === 34) {
      inString = true;
      stringStart = i + 1;
    } else if (c === 91 || c === 123) {
      depth++;
      if (depth === 2 && c === 91 && lastKey === 'r' && rows === undefined) {
        rows = [];
        rowStart = i + 1;
      }
    } else if (c === 93 || c === 125) {
      if (depth === 2 && rows !== undefined && rowStart >= 0) {
        const last = text.slice(rowStart, i).trim();
        if (last !== '') rows.push(last);
        return rows;
      }
      depth--;
    } else if (c === 44 && depth === 2 && rows !== undefined) {
      rows.push(text.slice(rowStart, i).trim());
      rowStart = i + 1;
    } else if (c === 58 && depth === 1) {
    } else if (depth === 1 && c > 32) {
      lastKey = undefined;
    }
  }
  return undefined;
}

/**
 * The deepest nesting of arrays and objects in JSON text, counted outside strings; stops counting once past
 * `limit`. Linear, iterative, allocates nothing.
 */
export function nestingDepth(text: string, limit: number): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92)
        i++; // backslash: the next character is escaped
      else if (c === 34) inString = false;
    } else if (c === 34) {
      inString = true;
    } else if (c === 91 || c === 123) {
      depth++;
      if (depth > deepest) {
        deepest = depth;
        if (deepest > limit) return deepest;
      }
    } else if (c === 93 || c === 125) {
      depth--;
    }
  }
  return deepest;
}

function envelopeHead(batchId: string): string {
  return `{"v":${ENVELOPE_VERSION},"b":${JSON.stringify(batchId)},"r":[`;
}
const ENVELOPE_TAIL = ']}';

export interface PackerLimits {
  /** Largest message body in bytes, envelope included (SQS 1 MiB, Event Hubs 1 MB, Pub/Sub 10 MB). */
  maxBytes: number;
  /** Most records in one message. */
  maxRecords?: number;
}

/**
 * Packs records into as few messages as fit the limits, in arrival order. Rows are ASCII (the series alphabet
 * and JSON numbers), so a string's length is its size in bytes.
 */
export class MessagePacker {
  readonly #limits: Required<PackerLimits>;
  readonly #nextBatchId: () => string;
  #rows: string[] = [];
  #bytes = 0;
  #batchId: string;

  constructor(limits: PackerLimits, nextBatchId: () => string) {
    this.#limits = { maxRecords: Number.POSITIVE_INFINITY, ...limits };
    this.#nextBatchId = nextBatchId;
    this.#batchId = nextBatchId();
    this.#bytes = this.#emptySize();
  }

  /** Adds a record; returns the message it completed, if adding it overflowed the current one. */
  add(record: DataRecord): string | undefined {
    const row = JSON.stringify(rowOf(record));
    const separator = this.#rows.length === 0 ? 0 : 1;
    if (this.#emptySize() + row.length > this.#limits.maxBytes) {
      throw new RangeError(
        `record ${record.series}#${record.seq} alone is ${row.length} bytes, more than a message may hold (${this.#limits.maxBytes})`,
      );
    }
    let done: string | undefined;
    if (
      this.#bytes + separator + row.length > this.#limits.maxBytes ||
      this.#rows.length >= this.#limits.maxRecords
    ) {
      done = this.flush();
    }
    this.#bytes += (this.#rows.length === 0 ? 0 : 1) + row.length;
    this.#rows.push(row);
    return done;
  }

  /** Completes the current message, if it holds any record. */
  flush(): string | undefined {
    if (this.#rows.length === 0) return undefined;
    const message = envelopeHead(this.#batchId) + this.#rows.join(',') + ENVELOPE_TAIL;
    this.#rows = [];
    this.#batchId = this.#nextBatchId();
    this.#bytes = this.#emptySize();
    return message;
  }

  #emptySize(): number {
    return envelopeHead(this.#batchId).length + ENVELOPE_TAIL.length;
  }
}
