/**
 * One dead letter as `tricloud dead-letters` shows it, whichever place it was read from:
 *
 * - `store`: what a cloud's ingest function dead-lettered into its store's dead-letter table, collection or
 *   container — an invalid record (a row kept as sent), the rows of a message past the hundred kept one by one, a
 *   whole message the function could not read, or (Azure) a whole message the store refused for good;
 * - `transport`: a message that exhausted its deliveries and that the transport moved to its own dead-letter
 *   place (the SQS dead-letter queue, the Pub/Sub dead-letter topic's subscription), kept whole, with no reason
 *   of ours.
 */
import type { DeadLetterItem } from '../../shared/clouds/dead-letter-item.ts';
import type { Origin } from '../../shared/core/index.ts';
import { REFUSED_PREFIX } from '../status/dead-letter-reasons.ts';

export type LetterSource = 'store' | 'transport';

/**
 * - `record`: one invalid (or late) record, its row as sent;
 * - `records`: a message's invalid rows past the hundred kept one by one, as `[row, value]` pairs;
 * - `message`: a whole message the function could not read (not JSON, not an envelope, not UTF-8, too big);
 * - `undeliverable`: a whole message the store refused for good (Azure: Event Hubs has no dead-letter queue);
 * - `exhausted`: a whole message the transport gave up delivering after its delivery limit.
 */
export type LetterKind = 'record' | 'records' | 'message' | 'undeliverable' | 'exhausted';

export interface Letter {
  cloud: Origin;
  source: LetterSource;
  kind: LetterKind;
  /** The store letter's id, or `sqs:<MessageId>` / `pubsub:<message id>` for a transport's message. */
  id: string;
  /** When it was dead-lettered, epoch ms (for a transport's message: as the transport reports it). */
  at: number;
  /** A sentence a person can act on. */
  reason: string;
  /** The transport's id of the message it came from (the id the function saw). */
  messageId: string;
  batchId?: string;
  /** The row in the message, for a `record`. */
  row?: number;
  /** As sent: the row's JSON, or the whole body (`base64:…` when the body was not UTF-8). */
  payload: string;
  /** True when the store kept only the start of a payload too big for an item (the rest is lost). */
  payloadTruncated: boolean;
  /** The original payload's size in UTF-8 bytes. */
  payloadBytes: number;
  /** Delivery attempts when known, and how that is known. */
  attempts: { count?: number; note: string };
  /** Where it is kept: the table, collection, container, queue or subscription. */
  where: string;
  /** What else the transport says about the message (its attributes, the source queue). */
  details?: Record<string, string>;
}

/** Ids of a transport's messages carry its name, so `show` knows where to look. */
export const TRANSPORT_ID_PREFIX = { aws: 'sqs:', gcp: 'pubsub:' } as const;

/** A store's letter as shown. */
export function storeLetter(cloud: Origin, item: DeadLetterItem, where: string): Letter {
  const kind = storeKind(item);
  return {
    cloud,
    source: 'store',
    kind,
    id: item.id,
    at: item.at,
    reason: item.reason,
    messageId: item.messageId,
    ...(item.batchId === undefined ? {} : { batchId: item.batchId }),
    ...(item.row === undefined ? {} : { row: item.row }),
    payload: item.payload,
    payloadTruncated: item.payloadTruncated,
    payloadBytes: item.payloadLength,
    attempts: storeAttempts(kind),
    where,
  };
}

function storeKind(item: DeadLetterItem): LetterKind {
  if (item.row !== undefined) return 'record';
  if (item.id.endsWith('#more')) return 'records';
  return item.reason.startsWith(REFUSED_PREFIX) ? 'undeliverable' : 'message';
}

function storeAttempts(kind: LetterKind): Letter['attempts'] {
  if (kind === 'undeliverable') {
    return {
      note: 'not recorded: ingest dead-letters a message the store refuses for good on the attempt that meets the refusal (Azure: Event Hubs has no dead-letter queue to count them)',
    };
  }
  return { count: 1, note: 'bad input is dead-lettered by the invocation that reads it, never retried' };
}

/** Letters shown per section unless `--limit` says otherwise. */
export const DEFAULT_LIMIT = 50;

/** What `list` and `export` select. */
export interface LetterFilter {
  /** Case-insensitive text the reason must contain. */
  reason?: string;
  /** Epoch ms: only letters dead-lettered at or after it. */
  since?: number;
}

export function matches(letter: Letter, filter: LetterFilter): boolean {
  if (filter.since !== undefined && letter.at < filter.since) return false;
  if (filter.reason !== undefined && !letter.reason.toLowerCase().includes(filter.reason.toLowerCase())) {
    return false;
  }
  return true;
}

/**
 * The start of a payload on one line: control characters escaped, cut at `width` characters (code points, an
 * escape counting as one) with `…`. Only the start is read: a payload may be 350 KB.
 */
export function preview(payload: string, width = 60): string {
  const kept: string[] = [];
  for (const ch of payload) {
    if (kept.length >= width) return `${kept.slice(0, width - 1).join('')}…`;
    const code = ch.codePointAt(0)!;
    if (code === 0x0a) kept.push('\\n');
    else if (code === 0x09) kept.push('\\t');
    else if (code < 0x20 || code === 0x7f) kept.push(`\\u${code.toString(16).padStart(4, '0')}`);
    else kept.push(ch);
  }
  return kept.join('');
}
