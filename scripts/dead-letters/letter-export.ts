/**
 * `tricloud dead-letters export`: the records the selected letters hold, one NDJSON line each (`letter-records.ts`),
 * written as they are read, so memory follows one letter, not the dead-letter place.
 */
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { type Letter, type LetterFilter, matches } from './letter.ts';
import { letterRecords } from './letter-records.ts';

export interface ExportSummary {
  /** Letters selected. */
  letters: number;
  /** Lines written. */
  records: number;
  /** Letters that hold no record to export, and why (the first {@link NAMED} of them). */
  without: { id: string; why: string }[];
  withoutCount: number;
}

/** Letters without records named in the summary; the rest are counted. */
const NAMED = 20;

export async function exportLetterRecords(
  sources: readonly AsyncIterable<Letter>[],
  filter: LetterFilter,
  out: Writable,
): Promise<ExportSummary> {
  const summary: ExportSummary = { letters: 0, records: 0, without: [], withoutCount: 0 };
  for (const source of sources) {
    for await (const letter of source) {
      if (!matches(letter, filter)) continue;
      summary.letters++;
      const records = letterRecords(letter);
      if ('none' in records) {
        summary.withoutCount++;
        if (summary.without.length < NAMED) summary.without.push({ id: letter.id, why: records.none });
        continue;
      }
      for (const line of records.lines) {
        summary.records++;
        if (!out.write(`${line}\n`)) await once(out, 'drain');
      }
    }
  }
  return summary;
}
