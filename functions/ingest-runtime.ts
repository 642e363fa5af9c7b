/**
 * What every ingest entry point shares: build the use case once per process (module scope, lazily, so a
 * configuration error surfaces on the first invocation with its message, and warm invocations reuse clients),
 * and log each invocation as one structured line in the cloud's native form, carrying its correlation ids
 * (message ids, envelope batch ids, the platform's invocation id) and its metrics (records, windows touched,
 * conflicts, dead letters, failures and why, …) — see `shared/observability/invocation-log.ts`.
 */

import { systemClock } from '../shared/clouds/system-clock.ts';
import { readPipelineSettings } from '../shared/config/environment.ts';
import {
  type AggregateStore,
  createIngest,
  type DeadLetterSink,
  type InboundMessage,
  type Ingest,
  type IngestOptions,
  type IngestResult,
  type Origin,
} from '../shared/core/index.ts';
import {
  type InvocationCorrelation,
  type InvocationLog,
  logInvocation,
} from '../shared/observability/invocation-log.ts';

export interface IngestPorts {
  store: AggregateStore;
  deadLetters: DeadLetterSink;
}

export interface IngestRuntimeOptions {
  /**
   * What to do with a message a store refused for good: `redeliver` (the default) reports it failed, for a
   * platform whose own dead-letter path takes it after its delivery limit (SQS redrive, Pub/Sub dead-letter
   * topic); `dead-letter` writes it to the dead-letter sink with the reason (Event Hubs, which has neither).
   */
  onPermanentFailure?: IngestOptions['onPermanentFailure'];
}

/** Failures kept on the log line with their message ids; the counts per reason cover the rest. */
const FAILURES_LOGGED = 10;

/** Returns the per-invocation function of one cloud; `ports` is called once, on first use. */
export function ingestRuntime(origin: Origin, ports: () => IngestPorts, options: IngestRuntimeOptions = {}) {
  let ingest: Ingest | undefined;
  return async (
    messages: readonly InboundMessage[],
    correlation: InvocationCorrelation = {},
  ): Promise<IngestResult> => {
    const started = performance.now();
    try {
      ingest ??= build(origin, ports, options);
      const result = await ingest(messages);
      logInvocation(invocationLine(origin, messages, correlation, result, performance.now() - started));
      return result;
    } catch (error) {
      // The use case reports failures rather than throwing; a throw is a bug or a broken environment. The line
      // says so where the cloud's metrics look, then the platform's own failure path takes the whole batch.
      logInvocation(crashLine(origin, messages, correlation, error, performance.now() - started));
      throw error;
    }
  };
}

/** The use case from the environment: built on the first invocation, so a configuration error is its to report. */
function build(origin: Origin, ports: () => IngestPorts, options: IngestRuntimeOptions): Ingest {
  const settings = readPipelineSettings();
  return createIngest(
    { ...ports(), clock: systemClock },
    {
      origin,
      windows: settings.windows,
      concurrency: settings.concurrency,
      ...(settings.maxLatenessMs === undefined ? {} : { maxLatenessMs: settings.maxLatenessMs }),
      ...(options.onPermanentFailure ? { onPermanentFailure: options.onPermanentFailure } : {}),
    },
  );
}

/** The line of an invocation that threw: its ids, `crashed: 1` and the error. */
export function crashLine(
  origin: Origin,
  messages: readonly InboundMessage[],
  correlation: InvocationCorrelation,
  error: unknown,
  durationMs: number,
): InvocationLog {
  const { invocationId, traceparent, ...platform } = correlation;
  return {
    cloud: origin,
    function: 'ingest',
    level: 'error',
    message: 'ingest crashed',
    time: Date.now(),
    ...(invocationId ? { invocationId } : {}),
    ...(traceparent ? { traceparent } : {}),
    messageIds: messages.map((m) => m.id),
    metrics: { messages: messages.length, crashed: 1, durationMs: Math.round(durationMs) },
    fields: {
      ...platform,
      error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      ...(error instanceof Error && error.stack
        ? { stack: error.stack.split('\n').slice(0, 8).join('\n') }
        : {}),
    },
  };
}

/** The invocation's line: its ids, its metrics, and — when messages failed — how many for good and why. */
export function invocationLine(
  origin: Origin,
  messages: readonly InboundMessage[],
  correlation: InvocationCorrelation,
  result: IngestResult,
  durationMs: number,
): InvocationLog {
  const { report, failedMessageIds, failures } = result;
  const { invocationId, traceparent, ...platform } = correlation;
  const { batchIds, ...counts } = report;
  const failedPermanently = failures.filter((f) => f.permanent).length;
  return {
    cloud: origin,
    function: 'ingest',
    level: failures.length || failedMessageIds.length ? 'warn' : 'info',
    message: 'ingest',
    time: Date.now(),
    ...(invocationId ? { invocationId } : {}),
    ...(traceparent ? { traceparent } : {}),
    messageIds: messages.map((m) => m.id),
    batchIds,
    metrics: {
      messages: report.messages,
      failedMessages: failedMessageIds.length,
      failedPermanently,
      records: report.valid,
      added: report.added,
      duplicates: report.skipped,
      windowsTouched: report.documents,
      writes: report.writes,
      conflicts: report.conflicts,
      recordConflicts: report.recordConflicts,
      deadLetters: report.deadLetters,
      durationMs: Math.round(durationMs),
    },
    fields: {
      ...platform,
      failedMessageIds,
      ...(failures.length
        ? {
            failureReasons: report.failureReasons,
            firstError: report.firstError ?? failures[0]?.error,
            failures: failures.slice(0, FAILURES_LOGGED),
          }
        : {}),
      report: counts,
    },
  };
}
