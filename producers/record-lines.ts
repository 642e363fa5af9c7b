/**
 * One source line into a record (DESIGN §2 record format), or a reason a person can act on. NDJSON lines are JSON
 * objects `{"series","seq","ts","value","qty"?}`; CSV files start with a header naming the same columns (any order,
 * `qty` optional) and quote fields only when they must. Validation is the core's, so a record that passes here is
 * one the functions accept.
 */
import { parse as parseCsv } from 'csv-parse/sync';
import { type Validation, validateRecord } from '../shared/core/index.ts';

export function parseNdjsonLine(text: string): Validation {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return { ok: false, reason: `the line is not valid JSON (${(error as Error).message})` };
  }
  return validateRecord(parsed);
}

const COLUMNS = ['series', 'seq', 'ts', 'value', 'qty'] as const;
type Column = (typeof COLUMNS)[number];

/** Where each column sits in a CSV row. */
export type CsvHeader = Readonly<Partial<Record<Column, number>>>;

/** Reads the header line; throws a sentence naming what is missing when it is not one. */
export function parseCsvHeader(text: string, file: string): CsvHeader {
  const names = splitCsvLine(text).map((n) => n.trim().toLowerCase());
  const header: Partial<Record<Column, number>> = {};
  for (const [i, name] of names.entries()) {
    if ((COLUMNS as readonly string[]).includes(name)) header[name as Column] = i;
  }
  const missing = COLUMNS.filter((c) => c !== 'qty' && header[c] === undefined);
  if (missing.length > 0) {
    throw new Error(
      `${file}: the first line must be a CSV header naming the columns series,seq,ts,value[,qty]; it lacks ${missing.join(', ')} (got '${text.slice(0, 80)}'). Add the header line.`,
    );
  }
  return header;
}

export function parseCsvLine(text: string, header: CsvHeader): Validation {
  let fields: string[];
  try {
    fields = splitCsvLine(text);
  } catch (error) {
    return { ok: false, reason: `the line is not valid CSV (${(error as Error).message})` };
  }
  const width = Math.max(...Object.values(header).map((i) => i ?? 0)) + 1;
  if (fields.length < width - (header.qty === width - 1 ? 1 : 0) || fields.length > width) {
    return { ok: false, reason: `the line has ${fields.length} fields; the header names ${width}` };
  }
  const record: Record<string, unknown> = {};
  for (const column of COLUMNS) {
    const at = header[column];
    if (at === undefined || at >= fields.length) continue;
    const raw = fields[at]!;
    record[column] = column === 'series' ? raw : numberOf(raw);
  }
  return validateRecord(record);
}

/** Most lines hold no quote: a split is exact for them and far cheaper than a parser; csv-parse takes the rest. */
function splitCsvLine(text: string): string[] {
  if (!text.includes('"')) return text.split(',');
  const rows = parseCsv(text, { relax_column_count: true }) as string[][];
  return rows[0] ?? [];
}

/** An empty field is a missing value (qty then defaults to 1); text that is no number stays text for the reason. */
function numberOf(raw: string): number | string | undefined {
  const text = raw.trim();
  if (text === '') return undefined;
  const n = Number(text);
  return Number.isNaN(n) ? raw : n;
}
