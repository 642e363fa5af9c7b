/**
 * The records a dead letter holds, as lines `tricloud produce --file` reads: NDJSON objects
 * `{"series","seq","ts","value","qty"}` (DESIGN §2), each field's text exactly as it was sent — a `1e999` or a seq
 * past 2^53 stays as written, for a person to correct — plus a `deadLetter` object saying where the line came from
 * and why it was refused. The record check ignores fields it does not know, so a corrected file is sent as it is.
 *
 * A row that is not an array of four or five values becomes `{"row": <as sent>, "deadLetter": …}`, which `produce`
 * rejects with its reason until someone rewrites it as a record. A message that cannot be read as an envelope, or
 * whose payload the store had to cut, holds no record to export; the caller names those letters instead.
 */
import { decodeMessage, rowTexts } from '../../shared/core/index.ts';
import type { Letter } from './letter.ts';

export type LetterRecords = { lines: string[] } | { none: string };

const FIELDS = ['series', 'seq', 'ts', 'value', 'qty'] as const;

export function letterRecords(letter: Letter): LetterRecords {
  if (letter.payloadTruncated) {
    return {
      none: `the store kept only the start of its ${letter.payloadBytes}-byte payload, so its records are incomplete`,
    };
  }
  if (letter.kind === 'record') return { lines: [recordLine(letter.payload, letter, letter.row)] };
  if (letter.kind === 'records') return overflowRecords(letter);
  return messageRecords(letter);
}

/** A message's rows past the hundred kept one by one: `[[row, value], …]`. */
function overflowRecords(letter: Letter): LetterRecords {
  const pairs = elements(letter.payload);
  if (pairs === undefined) return { none: 'its payload is not the list of [row, value] pairs it should be' };
  const lines: string[] = [];
  for (const pair of pairs) {
    const [row, value] = elements(pair) ?? [];
    if (row === undefined || value === undefined)
      return { none: `its pair ${pair.slice(0, 80)} is not [row, value]` };
    lines.push(recordLine(value, letter, Number(row)));
  }
  return { lines };
}

/** A whole message: its envelope's rows, or nothing when it cannot be read as one. */
function messageRecords(letter: Letter): LetterRecords {
  let body: string;
  if (letter.payload.startsWith('base64:')) {
    try {
      body = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(letter.payload.slice(7), 'base64'));
    } catch {
      return { none: 'the message is not UTF-8 text, so it holds no readable records' };
    }
  } else body = letter.payload;
  const decoded = decodeMessage(body);
  if (!decoded.ok) return { none: `the message holds no readable records: ${decoded.reason}` };
  const rows = rowTexts(decoded.text) ?? decoded.rows.map((r) => JSON.stringify(r));
  return { lines: rows.map((row, i) => recordLine(row, letter, i)) };
}

/** One line for a row sent as `rowText`: the record object, or the row kept whole when it is not one. */
export function recordLine(rowText: string, letter: Letter, row?: number): string {
  const provenance = JSON.stringify({
    cloud: letter.cloud,
    id: letter.id,
    ...(row === undefined || Number.isNaN(row) ? {} : { row }),
    reason: letter.reason,
  });
  const values = elements(rowText);
  const line =
    values !== undefined && (values.length === 4 || values.length === 5)
      ? `{${values.map((v, i) => `"${FIELDS[i]}":${v}`).join(',')},"deadLetter":${provenance}}`
      : `{"row":${rowText},"deadLetter":${provenance}}`;
  if (isJson(line)) return line;
  // Not JSON after all (a payload kept as plain text): the row goes in as a string, still for a person to fix.
  return `{"row":${JSON.stringify(rowText)},"deadLetter":${provenance}}`;
}

/** The texts of a JSON array's elements as written, or undefined when `text` is not an array. */
function elements(text: string): string[] | undefined {
  if (!text.trimStart().startsWith('[')) return undefined;
  // The envelope's row splitter reads the elements of `"r"`; wrapping the array makes it that.
  return rowTexts(`{"r":${text}}`);
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
