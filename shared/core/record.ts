/**
 * Records and their validation (DESIGN §2).
 *
 * A record is identified by `(series, seq)`. Validation runs compiled checks (`record-checks.ts`) and, only for
 * the rare invalid record, turns the first failing field into a sentence a person can act on:
 * `seq must be an integer from 0 to 2^53 − 1, got 1.5`.
 */
import { checks } from './record-checks.ts';

export { MAX_TS, MIN_TS, SERIES_PATTERN } from './record-schemas.ts';

export interface DataRecord {
  /** 1–128 characters of `[A-Za-z0-9._:-]`: safe as part of every store's document id. */
  series: string;
  /** Unique within its series: an exchange trade id, a meter's reading counter. */
  seq: number;
  /** Event time, epoch milliseconds. */
  ts: number;
  value: number;
  /** Weight of the record (a trade's quantity); 1 when the source has none. */
  qty: number;
}

/** The compact wire form of a record inside a message: `[series, seq, ts, value, qty?]`. */
export type RecordRow = [series: string, seq: number, ts: number, value: number, qty?: number];

export type Validation = { ok: true; record: DataRecord } | { ok: false; reason: string };

const FIELDS = ['series', 'seq', 'ts', 'value', 'qty'] as const;
type Field = (typeof FIELDS)[number];

/** What each field must be, as the first half of a rejection reason. */
const EXPECTED: Record<Field, string> = {
  series: 'series must be 1-128 characters of A-Z a-z 0-9 . _ : -',
  seq: 'seq must be an integer from 0 to 2^53 − 1',
  ts: 'ts must be an integer epoch-milliseconds time from 2000-01-01 to 2100-01-01',
  // ±1e125: what every store keeps as a number, and what keeps window sums finite (record-schemas.ts).
  value: 'value must be a finite number within ±1e125',
  qty: 'qty must be a finite number from 0 to 1e125',
};

/** Validates a record in its object form (`{"series","seq","ts","value","qty"}`), as sources and files give it. */
export function validateRecord(input: unknown): Validation {
  if (checks.object(input)) {
    const r = input as { series: string; seq: number; ts: number; value: number; qty?: number };
    return { ok: true, record: { series: r.series, seq: r.seq, ts: r.ts, value: r.value, qty: r.qty ?? 1 } };
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return {
      ok: false,
      reason: `a record must be a JSON object with series, seq, ts, value and optional qty, got ${show(input)}`,
    };
  }
  const fields = input as Record<string, unknown>;
  return {
    ok: false,
    reason: explain(
      (f) => fields[f],
      (f) => f === 'qty',
    ),
  };
}

/** Validates a record in its row form (`[series, seq, ts, value, qty?]`), as messages carry it. */
export function validateRow(input: unknown): Validation {
  if (Array.isArray(input)) {
    if (input.length === 4 ? checks.row4(input) : checks.row5(input)) {
      return {
        ok: true,
        record: { series: input[0], seq: input[1], ts: input[2], value: input[3], qty: input[4] ?? 1 },
      };
    }
    if (input.length === 4 || input.length === 5) {
      return {
        ok: false,
        reason: explain(
          (f) => input[FIELDS.indexOf(f)],
          (f) => f === 'qty',
        ),
      };
    }
  }
  return {
    ok: false,
    reason: `a record row must be an array [series, seq, ts, value, qty?] of 4 or 5 items, got ${show(input)}`,
  };
}

/** Names the first invalid field, in the order a person reads a record. */
function explain(get: (field: Field) => unknown, optional: (field: Field) => boolean): string {
  for (const field of FIELDS) {
    const value = get(field);
    if (value === undefined) {
      if (optional(field)) continue;
      return `${field} is missing; ${EXPECTED[field]}`;
    }
    if (!checks[field](value)) return `${EXPECTED[field]}, got ${show(value)}`;
  }
  // Unreachable while the per-field schemas and the whole-record schemas agree.
  return 'the record is invalid';
}

/** A short, unambiguous rendering of a bad value for a rejection reason. */
export function show(value: unknown): string {
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : String(value);
  if (value === undefined) return 'nothing';
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  if (text.length <= 80) return text;
  // Never cut between the two halves of a character outside the BMP: a lone half is not text in every store.
  const cut = /[\uD800-\uDBFF]/.test(text.charAt(76)) ? 76 : 77;
  return `${text.slice(0, cut)}...`;
}
