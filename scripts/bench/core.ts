/**
 * Core figures: validation and aggregation throughput on one core, and the ingest use case's store writes per
 * record against the naive design (one record per message, one write per record), on the same input.
 */
import { syntheticTrades } from '../../producers/sources/synthetic.ts';
import { systemClock } from '../../shared/clouds/system-clock.ts';
import {
  addToPart,
  createIngest,
  type DocumentGroup,
  emptyPart,
  encodeMessage,
  groupRows,
  type InboundMessage,
  parseWindows,
  prepareBatch,
  validateRow,
} from '../../shared/core/index.ts';
import { MemoryStore } from '../../shared/core/testing/index.ts';
import type { Report } from './report.ts';

export interface CoreBenchOptions {
  records: number;
  series: number;
  perMessage: number;
}

export async function benchCore(options: CoreBenchOptions, report: Report): Promise<void> {
  const N = options.records;
  const SERIES = options.series;
  const PER_MESSAGE = options.perMessage;
  /** Messages per invocation in the core figures: Lambda's default SQS batch size. */
  const PER_INVOCATION = 10;
  const windows = parseWindows('1m');

  function time<T>(fn: () => T): [T, number] {
    const t = performance.now();
    const out = fn();
    return [out, performance.now() - t];
  }

  // Input: 10 trades/s per series, so a one-minute window of a series holds ~600 records.
  const records = syntheticTrades({ records: N, series: SERIES, intervalMs: 100 });
  const messages: InboundMessage[] = [];
  for (let i = 0; i < N; i += PER_MESSAGE) {
    messages.push({
      id: `m${i / PER_MESSAGE}`,
      body: encodeMessage(`b${i}`, records.slice(i, i + PER_MESSAGE)),
    });
  }
  const rowsOnly = records.map((r) => [r.series, r.seq, r.ts, r.value, r.qty]);

  // 1. Core throughput: validation alone, then decode + validate + group + aggregate, one core, warm.
  const validate = () => {
    let ok = 0;
    for (const row of rowsOnly) if (validateRow(row).ok) ok++;
    return ok;
  };
  validate();
  const [, validateMs] = time(validate);
  report('core.validateRecordsPerSec', 'validate rows', Math.round(N / (validateMs / 1000)), 'records/s');

  // Validate + aggregate, from rows already decoded by the transport's JSON parser.
  const decodedMessages = messages.map((m) => ({
    id: m.id,
    batchId: m.id,
    rows: (JSON.parse(m.body as string) as { r: unknown[] }).r,
  }));
  const aggregateGroups = (groups: Iterable<DocumentGroup>) => {
    let docs = 0;
    for (const group of groups) if (addToPart(emptyPart(), group.records)) docs++;
    return docs;
  };
  const validateAndAggregate = () => {
    let docs = 0;
    for (let i = 0; i < decodedMessages.length; i += PER_INVOCATION) {
      docs += aggregateGroups(
        groupRows(decodedMessages.slice(i, i + PER_INVOCATION), 'aws', windows, 0).groups.values(),
      );
    }
    return docs;
  };
  validateAndAggregate();
  const [, coreMs] = time(validateAndAggregate);
  report('core.recordsPerSec', 'validate + aggregate', Math.round(N / (coreMs / 1000)), 'records/s');

  // The same with decoding the message bodies: the whole pure half of ingest (prepareBatch).
  const decodeAndAggregate = () => {
    let docs = 0;
    for (let i = 0; i < messages.length; i += PER_INVOCATION) {
      docs += aggregateGroups(
        prepareBatch(messages.slice(i, i + PER_INVOCATION), 'aws', windows, 0).groups.values(),
      );
    }
    return docs;
  };
  decodeAndAggregate();
  const [, pipelineMs] = time(decodeAndAggregate);
  report(
    'core.decodeRecordsPerSec',
    'decode + validate + aggregate',
    Math.round(N / (pipelineMs / 1000)),
    'records/s',
  );

  // 2. Store work of the ingest use case against the naive design: one record per message, one write per record.
  async function ingestWith(batches: InboundMessage[][]) {
    const store = new MemoryStore();
    const ingest = createIngest(
      { store, deadLetters: store, clock: systemClock },
      { origin: 'aws', windows },
    );
    const t = performance.now();
    for (const batch of batches) {
      const { failedMessageIds } = await ingest(batch);
      if (failedMessageIds.length) throw new Error('bench ingest failed');
    }
    return { ms: performance.now() - t, writes: store.counters.writes, reads: store.counters.reads };
  }
  const naive = records.map((r, i) => [{ id: `r${i}`, body: encodeMessage(`r${i}`, [r]) }]);
  const baseline = await ingestWith(naive);
  report('ingest.baselineWritesPerRecord', 'store writes per record (naive)', baseline.writes / N, 'writes');
  report(
    'ingest.baselineMicrosPerRecord',
    'ingest wall time per record (naive)',
    (baseline.ms * 1000) / N,
    'µs',
  );
  // Lambda's default SQS batch (10 messages), and the batch of 100 our Terraform configures with a batching window.
  for (const perInvocation of [10, 100]) {
    const batches: InboundMessage[][] = [];
    for (let i = 0; i < messages.length; i += perInvocation)
      batches.push(messages.slice(i, i + perInvocation));
    const packed = await ingestWith(batches);
    const k = `ingest.batch${perInvocation}`;
    const label = `(${perInvocation} messages/invocation)`;
    report(`${k}.writesPerRecord`, `store writes per record ${label}`, packed.writes / N, 'writes');
    report(`${k}.fewerWritesRatio`, `fewer writes than naive ${label}`, baseline.writes / packed.writes, '×');
    report(`${k}.microsPerRecord`, `ingest wall time per record ${label}`, (packed.ms * 1000) / N, 'µs');
    report(`${k}.speedupRatio`, `ingest faster than naive ${label}`, baseline.ms / packed.ms, '×');
  }
}
