import { afterEach, describe, expect, it } from 'vitest';
import { createIngest, encodeMessage, type Origin, parseWindows } from '../../shared/core/index.ts';
import { MemoryStore, SteppingClock } from '../../shared/core/testing/index.ts';
import {
  formatInvocationLog,
  type InvocationLog,
  logInvocation,
  readInvocationLog,
} from '../../shared/observability/invocation-log.ts';
import { LOG_SINK, type LogSink } from '../../shared/observability/log.ts';
import { record } from '../helpers/records.ts';

const entry = (cloud: Origin, overrides: Partial<InvocationLog> = {}): InvocationLog => ({
  cloud,
  function: 'ingest',
  level: 'info',
  message: 'ingest',
  time: Date.UTC(2026, 0, 1),
  invocationId: 'inv-1',
  messageIds: ['m1', 'm2'],
  batchIds: ['b1'],
  metrics: { records: 120, windowsTouched: 3, conflicts: 1, deadLetters: 2, durationMs: 40 },
  fields: { report: { valid: 120 } },
  ...overrides,
});

describe('invocation log lines', () => {
  it('on AWS are CloudWatch Embedded Metric Format: every metric the directive names is a number at the root', () => {
    const line = formatInvocationLog(entry('aws'));
    const aws = line._aws as {
      Timestamp: number;
      CloudWatchMetrics: {
        Namespace: string;
        Dimensions: string[][];
        Metrics: { Name: string; Unit: string }[];
      }[];
    };
    expect(aws.Timestamp).toBe(Date.UTC(2026, 0, 1));
    const [directive] = aws.CloudWatchMetrics;
    expect(directive?.Namespace).toBe('tricloud');
    for (const dimension of directive!.Dimensions.flat()) expect(typeof line[dimension]).toBe('string');
    expect(directive!.Metrics).toContainEqual({ Name: 'durationMs', Unit: 'Milliseconds' });
    expect(directive!.Metrics).toContainEqual({ Name: 'records', Unit: 'Count' });
    for (const { Name } of directive!.Metrics) expect(typeof line[Name]).toBe('number');
    expect(line).toMatchObject({
      requestId: 'inv-1',
      messageIds: ['m1', 'm2'],
      batchIds: ['b1'],
      level: 'INFO',
    });
  });

  it('on GCP carry severity, labels and the operation Cloud Logging recognises, metrics as fields', () => {
    const line = formatInvocationLog(entry('gcp', { level: 'warn' }));
    expect(line).toMatchObject({
      severity: 'WARNING',
      'logging.googleapis.com/labels': { cloud: 'gcp', function: 'ingest', invocationId: 'inv-1' },
      'logging.googleapis.com/operation': { id: 'inv-1', producer: 'tricloud/ingest' },
      metrics: { records: 120, deadLetters: 2 },
      batchIds: ['b1'],
    });
    for (const value of Object.values(line['logging.googleapis.com/labels'] as object))
      expect(typeof value).toBe('string');
  });

  it('on GCP name the trace of a W3C traceparent in the project', () => {
    const previous = process.env.GOOGLE_CLOUD_PROJECT;
    process.env.GOOGLE_CLOUD_PROJECT = 'demo';
    try {
      const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
      const line = formatInvocationLog(entry('gcp', { traceparent }));
      expect(line['logging.googleapis.com/trace']).toBe(
        'projects/demo/traces/0af7651916cd43dd8448eb211c80319c',
      );
    } finally {
      if (previous === undefined) delete process.env.GOOGLE_CLOUD_PROJECT;
      else process.env.GOOGLE_CLOUD_PROJECT = previous;
    }
  });

  it('on Azure put string dimensions in customDimensions and numbers in customMeasurements', () => {
    const line = formatInvocationLog(entry('azure', { level: 'error' }));
    expect(line).toMatchObject({
      severityLevel: 3,
      operation_Id: 'inv-1',
      customDimensions: { cloud: 'azure', function: 'ingest', messageIds: 'm1,m2', batchIds: 'b1' },
      customMeasurements: { records: 120, windowsTouched: 3 },
    });
    for (const value of Object.values(line.customDimensions as object)) expect(typeof value).toBe('string');
  });

  it.each(['aws', 'gcp', 'azure'] as const)('on %s read back to the same metrics', (cloud) => {
    const read = readInvocationLog(JSON.stringify(formatInvocationLog(entry(cloud))));
    expect(read).toMatchObject({
      cloud,
      function: 'ingest',
      message: 'ingest',
      metrics: entry(cloud).metrics,
    });
  });

  it.each(['aws', 'gcp', 'azure'] as const)(
    'on %s name why messages failed: a metric of those refused for good, the reasons and the first error',
    (cloud) => {
      const failing = entry(cloud, {
        level: 'warn',
        metrics: { ...entry(cloud).metrics, failedMessages: 2, failedPermanently: 1 },
        fields: {
          report: { valid: 120 },
          failureReasons: { transient: 1, 'too-large': 1 },
          firstError: 'PermanentStoreError: DynamoDB refused the item as too large.',
        },
      });
      const line = formatInvocationLog(failing);
      const read = readInvocationLog(JSON.stringify(line));
      expect(read?.metrics).toMatchObject({ failedMessages: 2, failedPermanently: 1 });
      expect(read?.failureReasons).toEqual({ transient: 1, 'too-large': 1 });
      expect(read?.firstError).toBe('PermanentStoreError: DynamoDB refused the item as too large.');
      if (cloud === 'aws') {
        const names = (
          line._aws as { CloudWatchMetrics: { Metrics: { Name: string }[] }[] }
        ).CloudWatchMetrics[0]!.Metrics.map((m) => m.Name);
        // Only numbers are metrics: the reasons and the error ride along as fields.
        expect(names).toContain('failedPermanently');
        expect(names).not.toContain('failureReasons');
      }
    },
  );

  it('without failures carry no failure fields', () => {
    const read = readInvocationLog(JSON.stringify(formatInvocationLog(entry('gcp'))));
    expect(read?.failureReasons).toBeUndefined();
    expect(read?.firstError).toBeUndefined();
  });

  it('are not mistaken for other lines', () => {
    expect(readInvocationLog('not json')).toBeUndefined();
    expect(readInvocationLog('{"level":"info","message":"hello"}')).toBeUndefined();
  });
});

describe('the log sink', () => {
  afterEach(() => {
    delete (globalThis as { [LOG_SINK]?: LogSink })[LOG_SINK];
  });

  it('receives each line instead of stdout, so a local host can read the functions as a log agent does', () => {
    const lines: string[] = [];
    (globalThis as { [LOG_SINK]?: LogSink })[LOG_SINK] = (_level, line) => lines.push(line);
    logInvocation(entry('azure'));
    expect(lines).toHaveLength(1);
    expect(readInvocationLog(lines[0]!)?.metrics.records).toBe(120);
  });
});

describe('ingest reports', () => {
  it('carry the distinct batch ids of the envelopes, for correlation with the producer', async () => {
    const store = new MemoryStore();
    const ingest = createIngest(
      { store, deadLetters: new MemoryStore(), clock: new SteppingClock(), random: () => 0.5 },
      { origin: 'aws', windows: parseWindows('1m') },
    );
    const { report } = await ingest([
      { id: 'm1', body: encodeMessage('run-7', [record({ seq: 1 })]) },
      { id: 'm2', body: encodeMessage('run-8', [record({ seq: 2 })]) },
      { id: 'm3', body: encodeMessage('run-7', [record({ seq: 3 })]) },
      { id: 'm4', body: 'not an envelope' },
    ]);
    expect(report.batchIds).toEqual(['run-7', 'run-8']);
  });
});
