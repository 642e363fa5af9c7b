/**
 * What `tricloud dev` shows of its ingest functions, it reads from their log lines, as CloudWatch, Cloud
 * Monitoring and Application Insights would: each invocation's line (in its cloud's native form) is parsed back
 * into metrics and summed per cloud. The functions stay unaware of being watched; lines arrive through the log
 * sink instead of the terminal, where they would tear the live view. Warnings and errors are kept for the
 * summary, and failed messages are counted per reason (`transient`, or what the store refused for good) with the
 * latest error.
 *
 * These are for people: nothing `dev` decides depends on them, since `TRICLOUD_LOG_LEVEL=warn` leaves the
 * info-level lines unwritten. Draining waits for the stores and the trigger hosts' counts, and the sync functions'
 * reports are their return values (`sync-runs.ts`).
 */
import { ORIGINS, type Origin } from '../../shared/core/index.ts';
import { readInvocationLog } from '../../shared/observability/invocation-log.ts';
import { LOG_SINK, type LogSink } from '../../shared/observability/log.ts';

export interface CloudTotals {
  ingestInvocations: number;
  /** Valid records the ingest function read (a redelivered message counts again). */
  records: number;
  /** (record, window) pairs counted for the first time: distinct records × window sizes once drained. */
  added: number;
  /** Records already counted before: redeliveries and duplicates, skipped. */
  duplicates: number;
  deadLetters: number;
  windowsTouched: number;
  conflicts: number;
  /** Messages reported for redelivery, summed over invocations (a message failing twice counts twice). */
  failedMessages: number;
  /** Messages the store refused for good (too large, invalid, missing, forbidden), redelivered or dead-lettered. */
  failedPermanently: number;
  /** Failed messages per reason, summed over invocations: `transient` or a permanent reason. */
  failureReasons: Record<string, number>;
  /** The latest failing invocation's first error. */
  lastError?: string;
}

export interface FunctionTelemetry {
  readonly totals: Record<Origin, CloudTotals>;
  /** Warning and error lines of the functions, most recent last (at most 50 kept). */
  readonly problems: string[];
  /** Removes the sink: lines go to stdout/stderr again. */
  close(): void;
}

const emptyTotals = (): CloudTotals => ({
  ingestInvocations: 0,
  records: 0,
  added: 0,
  duplicates: 0,
  deadLetters: 0,
  windowsTouched: 0,
  conflicts: 0,
  failedMessages: 0,
  failedPermanently: 0,
  failureReasons: {},
});

/** Installs the sink on `globalThis`; functions loaded in this process write to it from then on. */
export function watchFunctions(): FunctionTelemetry {
  const totals = Object.fromEntries(ORIGINS.map((o) => [o, emptyTotals()])) as Record<Origin, CloudTotals>;
  const problems: string[] = [];
  const sink: LogSink = (level, line) => {
    if (level === 'warn' || level === 'error') {
      problems.push(line);
      if (problems.length > 50) problems.shift();
    }
    const read = readInvocationLog(line);
    if (read?.function !== 'ingest') return;
    const t = totals[read.cloud];
    const m = read.metrics;
    t.ingestInvocations++;
    t.records += m.records ?? 0;
    t.added += m.added ?? 0;
    t.duplicates += m.duplicates ?? 0;
    t.deadLetters += m.deadLetters ?? 0;
    t.windowsTouched += m.windowsTouched ?? 0;
    t.conflicts += m.conflicts ?? 0;
    t.failedMessages += m.failedMessages ?? 0;
    t.failedPermanently += m.failedPermanently ?? 0;
    for (const [reason, n] of Object.entries(read.failureReasons ?? {}))
      t.failureReasons[reason] = (t.failureReasons[reason] ?? 0) + n;
    if (read.firstError) t.lastError = read.firstError;
  };
  const global = globalThis as { [LOG_SINK]?: LogSink };
  global[LOG_SINK] = sink;
  return {
    totals,
    problems,
    close() {
      if (global[LOG_SINK] === sink) delete global[LOG_SINK];
    },
  };
}
