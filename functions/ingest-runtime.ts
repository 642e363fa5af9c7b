/**
 * What every ingest entry point shares: build the use case once per process (module scope, lazily, so a
 * configuration error surfaces on the first invocation with its message, and warm invocations reuse clients),
 * and log each invocation as one structured line in the cloud's native form, carrying its correlation ids
 * (message ids, envelope batch ids, the platform's invocation id) and its metrics (records, windows touched,
 * conflicts, dead letters, …) — see `shared/observability/invocation-log.ts`.
 */

import { systemClock } from '../shared/clouds/system-clock.ts';
import { readPipelineSettings } from '../shared/config/pipeline.ts';
import {
  type AggregateStore,
  createIngest,
  type DeadLetterSink,
  type InboundMessage,
  type Ingest,
  type IngestResult,
  type Origin,
} from '../shared/core/index.ts';
import { type InvocationCorrelation, logInvocation } from '../shared/observability/invocation-log.ts';

export interface IngestPorts {
  store: AggregateStore;
  deadLetters: DeadLetterSink;
}

/** Returns the per-invocation function of one cloud; `ports` is called once, on first use. */
export function ingestRuntime(origin: Origin, ports: () => IngestPorts) {
  let ingest: Ingest | undefined;
  return async (
    messages: readonly InboundMessage[],
    correlation: InvocationCorrelation = {},
  ): Promise<IngestResult> => {
    if (!ingest) {
      const settings = readPipelineSettings();
      ingest = createIngest(
        { ...ports(), clock: systemClock },
        {
          origin,
          windows: settings.windows,
          concurrency: settings.concurrency,
          ...(settings.maxLatenessMs === undefined ? {} : { maxLatenessMs: settings.maxLatenessMs }),
        },
      );
    }
    const started = performance.now();
    const result = await ingest(messages);
    const { report, failedMessageIds } = result;
    const { invocationId, traceparent, ...platform } = correlation;
    const { batchIds, ...counts } = report;
    logInvocation({
      cloud: origin,
      function: 'ingest',
      level: failedMessageIds.length ? 'warn' : 'info',
      message: 'ingest',
      time: Date.now(),
      ...(invocationId ? { invocationId } : {}),
      ...(traceparent ? { traceparent } : {}),
      messageIds: messages.map((m) => m.id),
      batchIds,
      metrics: {
        messages: report.messages,
        failedMessages: failedMessageIds.length,
        records: report.valid,
        added: report.added,
        duplicates: report.skipped,
        windowsTouched: report.documents,
        writes: report.writes,
        conflicts: report.conflicts,
        deadLetters: report.deadLetters,
        durationMs: Math.round(performance.now() - started),
      },
      fields: { ...platform, failedMessageIds, report: counts },
    });
    return result;
  };
}
