/**
 * Hostile and buggy message bodies, as producers other than ours send them (issue 15, DESIGN §6), each with the
 * outcome the functions must give it: which of its records are aggregated, and which letters (ids and reasons) the
 * function writes to the cloud's dead-letter place. `test/integration/hostile-input.test.ts` sends them straight
 * to each transport.
 *
 * Letter ids follow `prepareBatch`: `<message id>` for a message refused whole, `<message id>#<row>` for a row,
 * `<message id>#more` for a message's invalid rows past the first hundred.
 */
import type { DeadLetterItem } from '../../shared/clouds/dead-letter-item.ts';
import { type DataRecord, encodeMessage, type Origin } from '../../shared/core/index.ts';
import { T0 } from './records.ts';

export type Body = string | Uint8Array;

/** Where a kind's series and batch ids come from: unique per run, cloud and kind. */
export interface KindContext {
  cloud: Origin;
  /** The series of the kind's own rows (valid and invalid). */
  series: string;
  /** The envelope batch id the kind uses when it has one. */
  batchId: string;
  /** Whether the transport is a local server rather than the cloud's (see `Refusal.localStack`). */
  localStack: boolean;
}

export interface ExpectedLetter {
  /** Appended to the message id: `''` (the whole message), `#<row>`, or `#more`. */
  suffix: string;
  /** The reason, exactly, or a pattern it must match. */
  reason: string | RegExp;
  /** What was sent for it (the row's or the body's text), which the letter must keep (DESIGN §4). */
  sent?: string;
}

export interface HostileMessage {
  body: Body;
  /** Valid records inside the message: they must be aggregated. */
  valid: readonly DataRecord[];
  /** Records the message's invalid rows would make if they were read as valid: they must not be aggregated. */
  refused?: readonly DataRecord[];
  /** Every letter the function must write for the message; an empty list means none at all. */
  letters: readonly ExpectedLetter[];
  /** Further checks of the message's letters (payload kept, cut, counted). */
  checkLetters?: (letters: readonly DeadLetterItem[], messageId: string) => void;
  /** How many times the message is sent; default 1. */
  copies?: number;
}

export interface HostileKind {
  /** What is sent, as the start of a sentence: `a body that is not JSON`. */
  name: string;
  /** What must happen, as the rest of it: `is dead-lettered whole: not valid JSON`. */
  outcome: string;
  build(context: KindContext): HostileMessage;
  /**
   * Transports that cannot carry the kind at all, with the client's error: the message never reaches the function,
   * so its producer is told at once and nothing reaches a dead-letter place.
   */
  refusedBy?: Partial<Record<Origin, Refusal>>;
}

export interface Refusal {
  outcome: string;
  error: RegExp;
  /**
   * Set where the local server does not enforce the refusal (a gap pinned as in local-server-limits.test.ts): what
   * happens there instead, as `build` describes it for a local stack. Against the cloud the refusal is required.
   */
  localStack?: string;
}

/**
 * The transports' hard limits on one message, in bytes: SQS 1 MiB since August 2025 (`producers/transport-limits.ts`
 * packs at 256 KiB so a message fits every transport), Event Hubs Standard 1 MB (1,048,576 B: what our server and
 * the SDK's `EventDataBatch` enforce, AMQP framing included), Pub/Sub 10 MB (10,000,000 B of data).
 */
export const TRANSPORT_MAX_BYTES: Record<Origin, number> = {
  aws: 1024 * 1024,
  azure: 1024 * 1024,
  gcp: 10_000_000,
};
/** How far below its transport's limit a near-limit message is: AMQP framing for Event Hubs, slack elsewhere. */
const NEAR_LIMIT_MARGIN = 4_096;

export const WHOLE = {
  notJson: /^the message body is not valid JSON \(.+\)$/,
  notUtf8: 'the message body is not valid UTF-8 text; producers send JSON envelopes',
  notObject: 'the message body must be a JSON object envelope {"v":1,"b":…,"r":[…]}',
  tooDeep:
    'the message nests JSON more than 16 levels deep; an envelope is 3 levels deep ({"v":1,"b":…,"r":[[…]]})',
  batchId: 'the envelope needs a batch id "b": a string of 1-128 characters',
  rows: 'the envelope needs "r": an array of record rows',
} as const;

const ROW_SHAPE = 'a record row must be an array [series, seq, ts, value, qty?] of 4 or 5 items, got ';
const SERIES_RULE = 'series must be 1-128 characters of A-Z a-z 0-9 . _ : -, got ';

/** Valid records of a series: `n` of them, seqs from `from`, a second apart from T0. */
export function validRecords(series: string, n: number, from = 1): DataRecord[] {
  return Array.from({ length: n }, (_, i) => ({
    series,
    seq: from + i,
    ts: T0 + (from + i) * 1_000,
    value: 100 + ((i * 7) % 13) / 4,
    qty: ((i % 3) + 1) / 4,
  }));
}

function rowText(r: DataRecord): string {
  return JSON.stringify([r.series, r.seq, r.ts, r.value, r.qty]);
}

/** An envelope whose rows are given as JSON text, so they can hold what `JSON.stringify` never writes. */
function envelope(batchId: string, rows: readonly string[]): string {
  return `{"v":1,"b":${JSON.stringify(batchId)},"r":[${rows.join(',')}]}`;
}

/** A message of valid rows followed by invalid ones, each invalid row dead-lettered on its own. */
function withBadRows(
  context: KindContext,
  bad: readonly { row: string; reason: string | RegExp; refused?: DataRecord }[],
): HostileMessage {
  const valid = validRecords(context.series, 2);
  const rows = [...valid.map(rowText), ...bad.map((b) => b.row)];
  return {
    body: envelope(context.batchId, rows),
    valid,
    refused: bad.flatMap((b) => (b.refused ? [b.refused] : [])),
    letters: bad.map((b, i) => ({ suffix: `#${valid.length + i}`, reason: b.reason, sent: b.row })),
  };
}

/** A message refused whole: no record taken, the body kept as the letter's payload. */
function refusedWhole(body: Body, reason: string | RegExp, payload?: string): HostileMessage {
  const sent = payload ?? (typeof body === 'string' ? body : new TextDecoder().decode(body));
  return { body, valid: [], letters: [{ suffix: '', reason, sent }] };
}

const deep = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

/**
 * About `bytes` of text whose every character takes 2, 3 or 4 bytes in UTF-8. Its 76th UTF-16 unit is the first
 * half of an emoji: a reason that quotes the first 76 units (`show` in record.ts) must not cut it in two.
 */
function multiByteText(bytes: number): string {
  const head = `${'é€'.repeat(37)}é`;
  const unit = '😀€é'; // 4 + 3 + 2 bytes
  return head + unit.repeat(Math.floor((bytes - Buffer.byteLength(head, 'utf8')) / 9));
}

/** Bytes that are not UTF-8 (0xFF never occurs in it), inside an otherwise valid envelope. */
function invalidUtf8(context: KindContext): Uint8Array {
  const [record] = validRecords(context.series, 1);
  const text = envelope(`${context.batchId}-XX`, [rowText(record!)]);
  const bytes = Buffer.from(text, 'utf8');
  const at = bytes.indexOf('-XX');
  bytes[at + 1] = 0xff;
  bytes[at + 2] = 0xfe;
  return bytes;
}

export const ROWS_OF_JUNK = 100_000;

export const HOSTILE_KINDS: readonly HostileKind[] = [
  {
    name: 'a body that is not JSON',
    outcome: 'is dead-lettered whole: not valid JSON',
    build: (c) => refusedWhole(`hello from ${c.batchId}, this is not JSON {`, WHOLE.notJson),
  },
  {
    name: 'truncated JSON',
    outcome: 'is dead-lettered whole: not valid JSON',
    build: (c) => {
      const text = encodeMessage(c.batchId, validRecords(c.series, 4));
      return refusedWhole(text.slice(0, Math.floor(text.length * 0.6)), WHOLE.notJson);
    },
  },
  {
    name: 'bytes that are not UTF-8',
    outcome: 'is dead-lettered whole: not UTF-8, the bytes kept as base64',
    build: (c) => {
      const body = invalidUtf8(c);
      if (c.cloud === 'aws' && c.localStack) {
        // local-aws-sqs takes the lone surrogates; they sit in the batch id, which is any text, so the row counts.
        return { body, valid: validRecords(c.series, 1), letters: [] };
      }
      return refusedWhole(body, WHOLE.notUtf8, `base64:${Buffer.from(body).toString('base64')}`);
    },
    refusedBy: {
      aws: {
        outcome: 'is refused by SQS at send: a body must be Unicode text, so no function can see it',
        error: /InvalidMessageContents|invalid characters/i,
        localStack:
          'is taken by local-aws-sqs, which does not check the characters SQS allows (a pinned gap), and read as text',
      },
    },
  },
  {
    name: 'the JSON literal null',
    outcome: 'is dead-lettered whole: not an envelope object',
    build: () => refusedWhole('null', WHOLE.notObject),
  },
  {
    name: 'a top-level JSON array',
    outcome: 'is dead-lettered whole: not an envelope object',
    build: (c) => refusedWhole(`[${JSON.stringify(c.batchId)},1,2,3]`, WHOLE.notObject),
  },
  {
    name: 'a JSON number',
    outcome: 'is dead-lettered whole: not an envelope object',
    build: () => refusedWhole('42', WHOLE.notObject),
  },
  {
    name: 'envelope version 2',
    outcome: 'is dead-lettered whole: unknown version, upgrade the functions first',
    build: (c) =>
      refusedWhole(
        encodeMessage(c.batchId, validRecords(c.series, 2)).replace('{"v":1,', '{"v":2,'),
        'unknown envelope version 2; this function reads version 1: upgrade the functions before the producers',
      ),
  },
  {
    name: 'a 100 KB string as the envelope version',
    outcome: 'is dead-lettered whole: unknown version, quoted short',
    build: (c) => {
      const version = 'v'.repeat(100_000);
      const message = refusedWhole(
        encodeMessage(c.batchId, validRecords(c.series, 1)).replace('{"v":1,', `{"v":"${version}",`),
        /^unknown envelope version "v{76}\.\.\.; this function reads version 1: upgrade the functions before the producers$/,
      );
      return message;
    },
  },
  {
    name: 'an envelope without a batch id',
    outcome: 'is dead-lettered whole: needs a batch id',
    build: (c) => refusedWhole(`{"v":1,"r":[${rowText(validRecords(c.series, 1)[0]!)}]}`, WHOLE.batchId),
  },
  {
    name: 'an empty batch id',
    outcome: 'is dead-lettered whole: needs a batch id',
    build: (c) => refusedWhole(envelope('', [rowText(validRecords(c.series, 1)[0]!)]), WHOLE.batchId),
  },
  {
    name: 'a 10,000-character batch id',
    outcome: 'is dead-lettered whole: needs a batch id of 1-128 characters',
    build: (c) =>
      refusedWhole(
        envelope(c.batchId.padEnd(10_000, 'b'), [rowText(validRecords(c.series, 1)[0]!)]),
        WHOLE.batchId,
      ),
  },
  {
    name: '"r" that is an object, not an array',
    outcome: 'is dead-lettered whole: "r" must be an array',
    build: (c) =>
      refusedWhole(
        `{"v":1,"b":${JSON.stringify(c.batchId)},"r":{"0":${rowText(validRecords(c.series, 1)[0]!)}}}`,
        WHOLE.rows,
      ),
  },
  {
    name: 'JSON nested 10,000 deep inside "r"',
    outcome: 'is dead-lettered whole before parsing: nested too deep',
    build: (c) =>
      refusedWhole(
        envelope(c.batchId, [rowText(validRecords(c.series, 1)[0]!), deep(10_000)]),
        WHOLE.tooDeep,
      ),
  },
  {
    name: 'JSON nested 10,000 deep as the version',
    outcome: 'is dead-lettered whole before parsing: nested too deep',
    build: (c) =>
      refusedWhole(`{"v":${deep(10_000)},"b":${JSON.stringify(c.batchId)},"r":[]}`, WHOLE.tooDeep),
  },
  {
    name: 'JSON nested 10,000 deep at the top level',
    outcome: 'is dead-lettered whole before parsing: nested too deep',
    build: () => refusedWhole(deep(10_000), WHOLE.tooDeep),
  },
  {
    name: 'a UTF-8 byte-order mark before a valid envelope',
    outcome: 'is aggregated like the same envelope without it, with no letter',
    build: (c) => {
      const valid = validRecords(c.series, 3);
      return {
        body: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(encodeMessage(c.batchId, valid))]),
        valid,
        letters: [],
      };
    },
  },
  {
    name: 'a row whose value is 1e999',
    outcome: 'dead-letters the row, saying "got Infinity"; the valid rows are aggregated',
    build: (c) =>
      withBadRows(c, [
        {
          row: `[${JSON.stringify(c.series)},50,${T0 + 50_000},1e999,1]`,
          reason: 'value must be a finite number within ±1e125, got Infinity',
        },
      ]),
  },
  {
    name: 'a row of value 1e308 and qty 1e308',
    outcome: 'dead-letters the row (values are bounded to ±1e125); the valid rows are aggregated',
    build: (c) =>
      withBadRows(c, [
        {
          row: `[${JSON.stringify(c.series)},51,${T0 + 51_000},1e308,1e308]`,
          reason: 'value must be a finite number within ±1e125, got 1e+308',
          refused: { series: c.series, seq: 51, ts: T0 + 51_000, value: 1e308, qty: 1e308 },
        },
      ]),
  },
  {
    name: 'a row with a negative qty',
    outcome: 'dead-letters the row; the valid rows are aggregated',
    build: (c) =>
      withBadRows(c, [
        {
          row: `[${JSON.stringify(c.series)},52,${T0 + 52_000},100,-1]`,
          reason: 'qty must be a finite number from 0 to 1e125, got -1',
        },
      ]),
  },
  {
    name: 'rows with NaN-like strings for numbers',
    outcome: 'dead-letters each row, quoting the string; the valid rows are aggregated',
    build: (c) => {
      const s = JSON.stringify(c.series);
      return withBadRows(c, [
        { row: `[${s},53,${T0},"NaN",1]`, reason: 'value must be a finite number within ±1e125, got "NaN"' },
        {
          row: `[${s},54,${T0},"Infinity",1]`,
          reason: 'value must be a finite number within ±1e125, got "Infinity"',
        },
        {
          row: `[${s},55,${T0},-1,"-Infinity"]`,
          reason: 'qty must be a finite number from 0 to 1e125, got "-Infinity"',
        },
        { row: `[${s},"NaN",${T0},1,1]`, reason: 'seq must be an integer from 0 to 2^53 − 1, got "NaN"' },
      ]);
    },
  },
  {
    name: 'a row with seq 1.5',
    outcome: 'dead-letters the row; the valid rows are aggregated',
    build: (c) =>
      withBadRows(c, [
        {
          row: `[${JSON.stringify(c.series)},1.5,${T0},1,1]`,
          reason: 'seq must be an integer from 0 to 2^53 − 1, got 1.5',
        },
      ]),
  },
  {
    name: 'a row with seq 2^53 + 1',
    outcome: 'dead-letters the row with a reason naming 2^53 − 1; the valid rows are aggregated',
    build: (c) =>
      withBadRows(c, [
        {
          // 9007199254740993 parses to 2^53 (9007199254740992): not a safe integer either way.
          row: `[${JSON.stringify(c.series)},9007199254740993,${T0},1,1]`,
          reason: 'seq must be an integer from 0 to 2^53 − 1, got 9007199254740992',
        },
      ]),
  },
  {
    name: 'a row whose ts is in seconds, not milliseconds',
    outcome: 'dead-letters the row as out of range; the valid rows are aggregated',
    build: (c) =>
      withBadRows(c, [
        {
          row: `[${JSON.stringify(c.series)},56,${T0 / 1_000},1,1]`,
          reason: /^ts must be .*, got 1700000000$/,
          refused: { series: c.series, seq: 56, ts: T0 / 1_000, value: 1, qty: 1 },
        },
      ]),
  },
  {
    name: 'a row whose ts is in the year 2200',
    outcome: 'dead-letters the row as out of range; the valid rows are aggregated',
    build: (c) =>
      withBadRows(c, [
        {
          row: `[${JSON.stringify(c.series)},57,7258118400000,1,1]`,
          reason:
            'ts must be an integer epoch-milliseconds time from 2000-01-01 to 2100-01-01, got 7258118400000',
          refused: { series: c.series, seq: 57, ts: 7_258_118_400_000, value: 1, qty: 1 },
        },
      ]),
  },
  {
    name: 'series with "/", "#", a space, and of 129 characters',
    outcome: 'dead-letters each row; the valid rows are aggregated',
    build: (c) =>
      withBadRows(
        c,
        [`${c.series}/x`, `${c.series}#x`, `${c.series} x`, c.series.padEnd(129, 'z')].map((series, i) => ({
          row: `[${JSON.stringify(series)},${60 + i},${T0},1,1]`,
          reason: `${SERIES_RULE}${JSON.stringify(series).length > 80 ? `${JSON.stringify(series).slice(0, 77)}...` : JSON.stringify(series)}`,
        })),
      ),
  },
  {
    name: 'rows that are objects instead of arrays',
    outcome: 'dead-letters each row; the valid rows are aggregated',
    build: (c) => {
      const row = `{"series":${JSON.stringify(c.series)},"seq":70,"ts":${T0},"value":1}`;
      return withBadRows(c, [{ row, reason: new RegExp(`^${escapeRegExp(ROW_SHAPE)}\\{"series":`) }]);
    },
  },
  {
    name: 'rows of three items',
    outcome: 'dead-letters each row; the valid rows are aggregated',
    build: (c) => {
      const row = `[${JSON.stringify(c.series)},71,${T0}]`;
      return withBadRows(c, [{ row, reason: `${ROW_SHAPE}${row}` }]);
    },
  },
  {
    name: 'rows of six items',
    outcome: 'dead-letters each row; the valid rows are aggregated',
    build: (c) => {
      const row = `[${JSON.stringify(c.series)},72,${T0},1,1,"extra"]`;
      return withBadRows(c, [{ row, reason: new RegExp(`^${escapeRegExp(ROW_SHAPE)}\\[`) }]);
    },
  },
  {
    name: `${ROWS_OF_JUNK.toLocaleString('en')} invalid rows and 1 valid row`,
    outcome: 'writes 101 letters (100 rows, then one counting the rest) and aggregates the valid row',
    build: (c) => {
      const junk = ['0', '[]', 'null', '{}'];
      const rows = Array.from({ length: ROWS_OF_JUNK }, (_, i) => junk[i % junk.length]!);
      const valid = validRecords(c.series, 1, 80);
      const more = ROWS_OF_JUNK - 100;
      return {
        body: envelope(c.batchId, [...rows, rowText(valid[0]!)]),
        valid,
        letters: [
          ...Array.from({ length: 100 }, (_, i) => ({
            suffix: `#${i}`,
            reason: `${ROW_SHAPE}${junk[i % junk.length]}`,
            sent: junk[i % junk.length]!,
          })),
          {
            suffix: '#more',
            reason: `${more} more invalid rows, past the 100 kept one by one; by reason: ${more} × ${ROW_SHAPE.slice(0, -', got '.length)}. The payload holds them as [row, value] pairs, to correct and replay.`,
          },
        ],
      };
    },
  },
  {
    name: "a multi-byte text row near the transport's size limit",
    outcome: 'dead-letters the row with its payload cut to fit the store, and aggregates the valid row',
    build: (c) => {
      const valid = validRecords(c.series, 1, 90);
      const head = envelope(c.batchId, [rowText(valid[0]!), `["",91,${T0},1,1]`]);
      const fill = multiByteText(TRANSPORT_MAX_BYTES[c.cloud] - NEAR_LIMIT_MARGIN - head.length);
      const bad = `[${JSON.stringify(fill)},91,${T0},1,1]`;
      const rowBytes = Buffer.byteLength(bad, 'utf8');
      return {
        body: Buffer.from(envelope(c.batchId, [rowText(valid[0]!), bad]), 'utf8'),
        valid,
        // The reason quotes the series' first 76 UTF-16 units: whole characters only, then `...`.
        letters: [
          {
            suffix: '#1',
            reason: new RegExp(`^${escapeRegExp(SERIES_RULE)}"(é€){37}é(😀)?\\.\\.\\.$`),
            sent: bad,
          },
        ],
        checkLetters: ([letter]) => {
          if (!letter?.payloadTruncated || letter.payloadLength !== rowBytes) {
            throw new Error(
              `the letter should say it was cut from ${rowBytes} bytes: truncated ${letter?.payloadTruncated}, length ${letter?.payloadLength}`,
            );
          }
          if (!bad.startsWith(letter.payload))
            throw new Error('the letter keeps something other than the row');
        },
      };
    },
  },
  {
    name: 'the same message sent twice',
    outcome: 'is counted once, with no letter',
    build: (c) => {
      const valid = validRecords(c.series, 5);
      return { body: encodeMessage(c.batchId, valid), valid, letters: [], copies: 2 };
    },
  },
];

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A lone UTF-16 surrogate: text that no store keeps as it is, and no reader can show. */
export const LONE_SURROGATE = /\p{Cs}/u;
