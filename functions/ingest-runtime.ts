/**
 * What every ingest entry point shares: build the use case once per process (module scope, lazily, so a
 * configuration error surfaces on the first invocation with its message, and warm invocations reuse clients),
 * and log each invocation's report as one structured line.
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
import { log } from '../shared/observability/log.ts';

export interface IngestPorts {
  store: AggregateStore;
  deadLetters: DeadLetterSink;
}

/** Returns the per-invocation function of one cloud; `ports` is called once, on first use. */
export function ingestRuntime(origin: Origin, ports: () => IngestPorts) {
  let ingest: Ingest | undefined;
  return async (
    messages: readonly InboundMessage[],
    correlation: Record<string, unknown> = {},
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
    const result = await ingest(messages);
    const { report, failedMessageIds } = result;
    log(failedMessageIds.length ? 'warn' : 'info', 'ingest', {
      cloud: origin,
      ...correlation,
      messageIds: messages.map((m) => m.id),
      failedMessageIds,
      ...report,
    });
    return result;
  };
}
