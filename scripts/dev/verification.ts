/**
 * The end of a `tricloud dev` run: the three stores compared with each other (byte-identical windows) and with a
 * reference computed directly from the records produced (`scripts/dev/reference-windows.ts`, which shares no code
 * with the core's aggregation), and the summary table printed. The verdict decides the exit status.
 */
import { compareExports, type ExportedWindow, ORIGINS, type Origin } from '../../shared/core/index.ts';
import type { TriggerHost } from '../trigger-hosts/host-loop.ts';
import type { Sent } from './dev-producer.ts';
import type { FunctionTelemetry } from './function-telemetry.ts';
import type { SyncRuns } from './sync-runs.ts';

export interface Verdict {
  identical: boolean;
  /** Windows whose exports differ between clouds. */
  differing: number;
  /** Each cloud's first difference from the reference, if any. */
  differences: Partial<Record<Origin, string>>;
  exact: boolean;
  referenceWindows: number;
}

export function verifyRun(
  exports: Record<Origin, readonly ExportedWindow[]>,
  reference: readonly ExportedWindow[],
  firstDifference: (
    actual: readonly ExportedWindow[],
    reference: readonly ExportedWindow[],
  ) => string | undefined,
): Verdict {
  const compared = compareExports(exports);
  const differences: Partial<Record<Origin, string>> = {};
  for (const o of ORIGINS) {
    const d = firstDifference(exports[o], reference);
    if (d) differences[o] = d;
  }
  return {
    identical: compared.identical,
    differing: compared.differing.length,
    differences,
    exact: Object.keys(differences).length === 0,
    referenceWindows: reference.length,
  };
}

export function summaryTable(input: {
  sent: Record<Origin, Sent>;
  hosts: Record<Origin, TriggerHost>;
  telemetry: FunctionTelemetry;
  syncs: Pick<SyncRuns, 'runs' | 'conflicts'>;
  exports: Record<Origin, readonly ExportedWindow[]>;
  largestSlice: Record<Origin, number>;
}): string[] {
  const cols: [string, number][] = [
    ['cloud', 5],
    ['records sent', 12],
    ['messages', 8],
    ['invocations', 11],
    ['redelivered', 11],
    ['duplicates', 10],
    ['dead letters', 12],
    ['conflicts', 9],
    ['windows', 7],
    ['sync runs', 9],
    ['largest item', 12],
  ];
  const lines = [
    cols.map(([name, width], i) => (i === 0 ? name.padEnd(width) : name.padStart(width))).join('  '),
  ];
  for (const o of ORIGINS) {
    const t = input.telemetry.totals[o];
    const values = [
      input.sent[o].records,
      input.sent[o].messages,
      input.hosts[o].stats.invocations,
      input.hosts[o].stats.failedMessages,
      t.duplicates,
      t.deadLetters,
      // Ingest's conflicts from its metric lines, sync's from its returned reports.
      t.conflicts + input.syncs.conflicts[o],
      input.exports[o].length,
      input.syncs.runs[o],
      `${(input.largestSlice[o] / 1000).toFixed(1)} KB`,
    ];
    lines.push([o.padEnd(5), ...values.map((v, i) => String(v).padStart(cols[i + 1]![1]))].join('  '));
  }
  return lines;
}

export function verdictLines(verdict: Verdict, records: number): string[] {
  const lines = [
    verdict.identical
      ? '✔ the three stores are identical'
      : `✘ the stores differ in ${verdict.differing} windows`,
  ];
  for (const [o, d] of Object.entries(verdict.differences))
    lines.push(`✘ ${o} differs from the reference: ${d}`);
  if (verdict.exact)
    lines.push(
      `✔ every store equals the reference computed from the ${records.toLocaleString('en-US')} records (${verdict.referenceWindows} windows)`,
    );
  return lines;
}
