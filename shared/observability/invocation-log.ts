/**
 * One log line per function invocation, in each cloud's native form, so the same line is both the structured log
 * (searchable by message id and batch id) and the source of the invocation's metrics:
 *
 * - AWS: CloudWatch Embedded Metric Format — an `_aws` block whose directive names the metric members at the
 *   root; CloudWatch Logs extracts them as metrics in namespace `tricloud`, dimension `function`.
 * - GCP: Cloud Logging structured JSON — `severity`, `logging.googleapis.com/labels` (cloud, function, invocation),
 *   `logging.googleapis.com/operation` grouping an invocation's lines, `logging.googleapis.com/trace` when the
 *   event carried a W3C `traceparent`; metrics under `metrics`, for log-based metrics
 *   (`EXTRACT(jsonPayload.metrics.records)`).
 * - Azure: Application Insights' shape — `customDimensions` (strings: ids to filter by) and `customMeasurements`
 *   (numbers), `operation_Id` the invocation id, `severityLevel` 0-3; KQL reads them with `parse_json(message)`.
 *
 * `readInvocationLog` turns any of the three back into one shape: what a local host (`tricloud dev`) uses to
 * watch the functions as a cloud's metrics service would.
 *
 * An invocation whose messages failed says why on the same line: metrics `failedMessages` (to redeliver) and
 * `failedPermanently` (refused for good by the store), fields `failureReasons` (failed messages per reason:
 * `transient`, `too-large`, `invalid`, `missing`, `forbidden`) and `firstError` (the first failure's sentence).
 */
import type { Origin } from '../core/index.ts';
import { type Level, writeEntry } from './log.ts';

/** The CloudWatch namespace of the functions' metrics. */
export const METRICS_NAMESPACE = 'tricloud';

/** What a platform tells about an invocation, as its entry point hands it to the runtime for the log line. */
export interface InvocationCorrelation {
  invocationId?: string;
  traceparent?: string;
  /** Platform-specific extras kept on the line (delivery attempt, partition). */
  [field: string]: unknown;
}

export interface InvocationLog {
  cloud: Origin;
  /** The function: `ingest` or `sync`. */
  function: string;
  level: Level;
  message: string;
  /** Epoch ms of the line. */
  time: number;
  /** The platform's id for the invocation (Lambda request id, CloudEvent id, Azure invocation id). */
  invocationId?: string;
  /** W3C `traceparent` of the triggering event, when the platform passed one. */
  traceparent?: string;
  /** Transport message ids and envelope batch ids: what ties a line to the producer's run and to redeliveries. */
  messageIds?: readonly string[];
  batchIds?: readonly string[];
  /** Counts per invocation; a name ending in `Ms` is a duration in milliseconds. */
  metrics: Record<string, number>;
  /** Anything else worth keeping with the line (the use case's whole report). */
  fields?: Record<string, unknown>;
}

const GCP_SEVERITY: Record<Level, string> = { debug: 'DEBUG', info: 'INFO', warn: 'WARNING', error: 'ERROR' };
/** Application Insights' SeverityLevel: Verbose 0, Information 1, Warning 2, Error 3. */
const AZURE_SEVERITY: Record<Level, number> = { debug: 0, info: 1, warn: 2, error: 3 };

const unitOf = (name: string) => (name.endsWith('Ms') ? 'Milliseconds' : 'Count');

/** The line an invocation writes on its cloud, as an object (pure: the caller serialises it). */
export function formatInvocationLog(entry: InvocationLog): Record<string, unknown> {
  const time = new Date(entry.time).toISOString();
  const ids = {
    ...(entry.messageIds ? { messageIds: entry.messageIds } : {}),
    ...(entry.batchIds ? { batchIds: entry.batchIds } : {}),
  };
  switch (entry.cloud) {
    case 'aws':
      return {
        level: entry.level.toUpperCase(),
        message: entry.message,
        time,
        cloud: entry.cloud,
        function: entry.function,
        ...(entry.invocationId ? { requestId: entry.invocationId } : {}),
        ...ids,
        ...entry.fields,
        // Metric members last, so a field of the same name cannot shadow a value the directive points at.
        ...entry.metrics,
        _aws: {
          Timestamp: entry.time,
          CloudWatchMetrics: [
            {
              Namespace: METRICS_NAMESPACE,
              Dimensions: [['function']],
              Metrics: Object.keys(entry.metrics).map((Name) => ({ Name, Unit: unitOf(Name) })),
            },
          ],
        },
      };
    case 'gcp': {
      const trace = traceResource(entry.traceparent);
      return {
        severity: GCP_SEVERITY[entry.level],
        message: entry.message,
        time,
        'logging.googleapis.com/labels': {
          cloud: entry.cloud,
          function: entry.function,
          ...(entry.invocationId ? { invocationId: entry.invocationId } : {}),
        },
        ...(entry.invocationId
          ? {
              'logging.googleapis.com/operation': {
                id: entry.invocationId,
                producer: `${METRICS_NAMESPACE}/${entry.function}`,
              },
            }
          : {}),
        ...(trace ? { 'logging.googleapis.com/trace': trace } : {}),
        ...ids,
        ...entry.fields,
        metrics: entry.metrics,
      };
    }
    case 'azure':
      return {
        level: entry.level,
        severityLevel: AZURE_SEVERITY[entry.level],
        message: entry.message,
        time,
        ...(entry.invocationId ? { operation_Id: entry.invocationId } : {}),
        customDimensions: {
          cloud: entry.cloud,
          function: entry.function,
          ...(entry.invocationId ? { invocationId: entry.invocationId } : {}),
          // Application Insights keeps dimensions as strings.
          ...(entry.messageIds ? { messageIds: entry.messageIds.join(',') } : {}),
          ...(entry.batchIds ? { batchIds: entry.batchIds.join(',') } : {}),
        },
        customMeasurements: entry.metrics,
        ...entry.fields,
      };
  }
}

/** Writes the invocation's line (subject to `TRICLOUD_LOG_LEVEL`). */
export function logInvocation(entry: InvocationLog): void {
  writeEntry(entry.level, formatInvocationLog(entry));
}

/** What a metrics reader needs back from any cloud's line. */
export interface InvocationMetrics {
  cloud: Origin;
  function: string;
  message: string;
  metrics: Record<string, number>;
  /** Failed messages per reason (`transient` or a permanent reason), when the line names any. */
  failureReasons?: Record<string, number>;
  /** The first failure's sentence, when messages failed. */
  firstError?: string;
  /** The whole line, for fields such as the report. */
  entry: Record<string, unknown>;
}

/** Reads a line written by `logInvocation` on any cloud; undefined for any other line. */
export function readInvocationLog(line: string | Record<string, unknown>): InvocationMetrics | undefined {
  let entry: Record<string, unknown>;
  try {
    entry = typeof line === 'string' ? (JSON.parse(line) as Record<string, unknown>) : line;
  } catch {
    return undefined;
  }
  if (typeof entry !== 'object' || entry === null) return undefined;
  const read = readMetrics(entry);
  if (!read) return undefined;
  // Fields sit at the root of the line on every cloud.
  const { failureReasons, firstError } = entry as { failureReasons?: unknown; firstError?: unknown };
  return {
    ...read,
    ...(isCounts(failureReasons) ? { failureReasons } : {}),
    ...(typeof firstError === 'string' ? { firstError } : {}),
  };
}

function readMetrics(entry: Record<string, unknown>): InvocationMetrics | undefined {
  const message = String(entry.message ?? '');
  const aws = entry._aws as { CloudWatchMetrics?: { Metrics?: { Name: string }[] }[] } | undefined;
  if (aws?.CloudWatchMetrics) {
    const metrics: Record<string, number> = {};
    for (const directive of aws.CloudWatchMetrics)
      for (const { Name } of directive.Metrics ?? []) metrics[Name] = Number(entry[Name]);
    return { cloud: 'aws', function: String(entry.function), message, metrics, entry };
  }
  const labels = entry['logging.googleapis.com/labels'] as Record<string, string> | undefined;
  if (labels?.cloud === 'gcp' && typeof entry.metrics === 'object') {
    const metrics = entry.metrics as Record<string, number>;
    return { cloud: 'gcp', function: String(labels.function), message, metrics, entry };
  }
  const dimensions = entry.customDimensions as Record<string, string> | undefined;
  if (dimensions?.cloud === 'azure' && typeof entry.customMeasurements === 'object') {
    const metrics = entry.customMeasurements as Record<string, number>;
    return { cloud: 'azure', function: String(dimensions.function), message, metrics, entry };
  }
  return undefined;
}

function isCounts(value: unknown): value is Record<string, number> {
  return (
    typeof value === 'object' &&
    value !== null &&
    Object.values(value).every((n) => typeof n === 'number' && Number.isFinite(n))
  );
}

/**
 * Cloud Logging's trace resource from a W3C traceparent (`00-<32 hex trace id>-<16 hex span>-<flags>`); needs the
 * project, which Cloud Run functions expose as `GOOGLE_CLOUD_PROJECT`.
 */
function traceResource(traceparent: string | undefined): string | undefined {
  const traceId = traceparent
    ? /^[\da-f]{2}-([\da-f]{32})-[\da-f]{16}-[\da-f]{2}$/.exec(traceparent)?.[1]
    : undefined;
  const project = process.env.GOOGLE_CLOUD_PROJECT;
  return traceId && project ? `projects/${project}/traces/${traceId}` : undefined;
}
