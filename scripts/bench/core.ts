/**
 * Core figures: validation and aggregation throughput on one core, and the ingest use case's store writes per
 * record against the naive design (one record per message, one write per record), on the same input.
 */
import { syntheticTrades } from '../../producers/sources/synthetic.ts';
import { systemClock } from '../../shared/clouds/system-clock.ts';
import {
  addToPart,
  createIngest,
  type DataRecord,
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

/** Messages per invocation in the core figures: Lambda's default SQS batch size. */
const PER_INVOCATION = 10;
const windows = parseWindows('1m');

export async function benchCore(options: CoreBenchOptions, report: Report): Promise<void> {
  // Input: 10 trades/s per series, so a one-minute window of a series holds ~600 records.
  const records = syntheticTrades({ records: options.records, series: options.series, intervalMs: 100 });
  const messages: InboundMessage[] = [];
  for (let i = 0; i < records.length; i += options.perMessage) {
    messages.push({
      id: `m${i / options.perMessage}`,
      body: encodeMessage(`b${i}`, records.slice(i, i + options.perMessage)),
    });
  }
  benchThroughput(records, messages, report);
  await benchStoreWork(records, messages, report);
}

/** 1. Core throughput on one core, warm: validation alone, then with aggregation, then with decoding too. */
function benchThroughput(
  records: readonly DataRecord[],
  messages: readonly InboundMessage[],
  report: Report,
) {
  const N = records.length;
  const rowsOnly = records.map((r) => [r.series, r.seq, r.ts, r.value, r.qty]);
  const validateMs = warmTime(() => {
    let ok = 0;
    for (const row of rowsOnly) if (validateRow(row).ok) ok++;
    return ok;
  });
  report('core.validateRecordsPerSec', 'validate rows', Math.round(N / (validateMs / 1000)), 'records/s');

  // Validate + aggregate, from rows already decoded by the transport's JSON parser.
  const decodedMessages = messages.map((m) => ({
    id: m.id,
    batchId: m.id,
    rows: (JSON.parse(m.body as string) as { r: unknown[] }).r,
  }));
  const coreMs = warmTime(() =>
    perInvocation(decodedMessages, (batch) => groupRows(batch, 'aws', windows, 0).groups.values()),
  );
  report('core.recordsPerSec', 'validate + aggregate', Math.round(N / (coreMs / 1000)), 'records/s');

  // The same with decoding the message bodies: the whole pure half of ingest (prepareBatch).
  const pipelineMs = warmTime(() =>
    perInvocation(messages, (batch) => prepareBatch(batch, 'aws', windows, 0).groups.values()),
  );
  report(
    'core.decodeRecordsPerSec',
    'decode + validate + aggregate',
    Math.round(N / (pipelineMs / 1000)),
    'records/s',
  );
}

/** Runs `fn` once to warm up, then returns the ms a second run takes. */
function warmTime(fn: () => unknown): number {
  fn();
  const t = performance.now();
  fn();
  return performance.now() - t;
}

/** Groups each invocation's messages with `group` and aggregates every group; returns the documents touched. */
function perInvocation<M>(messages: readonly M[], group: (batch: M[]) => Iterable<DocumentGroup>): number {
  let docs = 0;
  for (let i = 0; i < messages.length; i += PER_INVOCATION) {
    for (const g of group(messages.slice(i, i + PER_INVOCATION)))
      if (addToPart(emptyPart(), g.records)) docs++;
  }
  return docs;
}

/** 2. Store work of the ingest use case against the naive design: one record per message, one write per record. */
async function benchStoreWork(
  records: readonly DataRecord[],
  messages: readonly InboundMessage[],
  report: Report,
): Promise<void> {
  const N = records.length;
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

/** Ingests each batch as one invocation into a fresh in-memory store; the wall time and the store's counters. */
async function ingestWith(batches: readonly InboundMessage[][]) {
  const store = new MemoryStore();
  const ingest = createIngest({ store, deadLetters: store, clock: systemClock }, { origin: 'aws', windows });
  const t = performance.now();
  for (const batch of batches) {
    const { failedMessageIds } = await ingest(batch);
    if (failedMessageIds.length) throw new Error('bench ingest failed');
  }
  return { ms: performance.now() - t, writes: store.counters.writes, reads: store.counters.reads };
}
