/** Factories, generators and the straightforward reference every exactness test compares against. */
import fc from 'fast-check';
import { distinctRecords, firstDifference } from '../../scripts/dev/reference-windows.ts';
import {
  type DataRecord,
  type ExportedWindow,
  encodeMessage,
  exportWindow,
  type InboundMessage,
  type StoredDocument,
} from '../../shared/core/index.ts';

export const T0 = 1_700_000_000_000;

export function record(overrides: Partial<DataRecord> = {}): DataRecord {
  return { series: 'BTCUSDT', seq: 1, ts: T0, value: 100, qty: 1, ...overrides };
}

/** One message per chunk of `size` records, ids `m0`, `m1`, … */
export function messagesOf(records: readonly DataRecord[], size = 10, prefix = 'm'): InboundMessage[] {
  const out: InboundMessage[] = [];
  for (let i = 0; i < records.length; i += size) {
    out.push({ id: `${prefix}${i / size}`, body: encodeMessage(`b${i / size}`, records.slice(i, i + size)) });
  }
  return out;
}

/** Series names drawn from the whole allowed alphabet, since they end up in every store's ids. */
export const arbSeries = fc.constantFrom('BTCUSDT', 'eth.usd', 'meter:42_a-b', 'Z', '__x__', '.', '..');

/**
 * A stream of distinct records: a few series, seqs unique per series, timestamps over a few minutes (so records
 * share and cross windows), values with awkward decimals and qty including zero.
 */
export const arbRecords = fc
  .array(
    fc.record({
      series: arbSeries,
      seq: fc.integer({ min: 0, max: 400 }),
      ts: fc.integer({ min: T0, max: T0 + 4 * 60_000 }),
      value: fc.oneof(
        fc.double({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true }),
        fc.constantFrom(0.1, 0.2, 0.3, 37000.5),
      ),
      qty: fc.oneof(fc.double({ min: 0, max: 1e3, noNaN: true, noDefaultInfinity: true }), fc.constant(0)),
    }),
    { maxLength: 120 },
  )
  .map((rs) => distinctRecords(rs));

/** The straightforward reference and its comparison live beside the CLI, which verifies runs with them too. */
export {
  distinctRecords as distinct,
  referenceWindows,
  sortWindows,
} from '../../scripts/dev/reference-windows.ts';

/** Throws with a readable diff when the exported windows differ from the reference beyond float tolerance. */
export function expectExact(actual: readonly ExportedWindow[], reference: readonly ExportedWindow[]): void {
  const difference = firstDifference(actual, reference);
  if (difference) throw new Error(difference);
}

/** The windows among stored documents, in the export format (slices carry no view of their own). */
export function exportedWindows(docs: Iterable<StoredDocument>): ExportedWindow[] {
  return [...docs].flatMap((doc) => (doc.kind === 'window' ? [exportWindow(doc)] : []));
}
