/**
 * `tricloud dev`'s last phase: the summary table per cloud, why messages failed, the run's throughput, what chaos
 * did, the verdict, and the functions' last warnings when it failed; `--report` writes the HTML page of the run.
 */
import { ORIGINS } from '../../../shared/core/index.ts';
import { writeReport } from '../../report/write-report.ts';
import { CHAOS } from '../chaos.ts';
import { cloudRows } from '../cloud-rows.ts';
import { failureLines } from '../live-view.ts';
import { summaryTable, verdictLines } from '../verification.ts';
import type { Production } from './produce.ts';
import type { DevPipeline } from './start.ts';
import type { Verification } from './verify.ts';

export async function report(
  p: DevPipeline,
  production: Production,
  drainedMs: number,
  verification: Verification,
): Promise<void> {
  for (const line of summaryLines(p, production, drainedMs, verification)) console.log(line);
  if (p.options.report) {
    await writeHtmlReport(p, production, verification, p.options.report);
    p.log.say(`report written to ${p.options.report}`);
  }
}

function summaryLines(
  p: DevPipeline,
  { producer, startedMs }: Production,
  drainedMs: number,
  { exports, verdict, seconds }: Verification,
): string[] {
  const { hosts, chaos, telemetry } = p;
  const records = producer.records.length;
  const perSecond = (n: number, s: number) => Math.round(n / s).toLocaleString('en-US');
  const pipelineSeconds = (drainedMs - startedMs) / 1000;
  const lines = [
    '',
    ...summaryTable({
      sent: producer.sent,
      hosts,
      telemetry,
      syncs: p.syncs,
      exports,
      largestSlice: p.documents.largestSlice,
    }),
    ...failureLines(cloudRows(p, () => undefined)),
    `\n${records.toLocaleString('en-US')} records end to end in ${seconds.toFixed(1)} s (${perSecond(records, seconds)} records/s including start-up and build): start-up and build ${(startedMs / 1000).toFixed(1)} s, produced and ingested in ${pipelineSeconds.toFixed(1)} s (${perSecond(records, pipelineSeconds)} records/s), converged and verified in ${(seconds - drainedMs / 1000).toFixed(1)} s`,
  ];
  if (chaos) {
    const r = chaos.report;
    const sum = (count: (o: (typeof ORIGINS)[number]) => number) => ORIGINS.reduce((n, o) => n + count(o), 0);
    lines.push(
      `chaos: ${r.cloud} cut at ${((r.cutAtMs ?? 0) / 1000).toFixed(1)} s, restored at ${((r.restoredAtMs ?? 0) / 1000).toFixed(1)} s; ${r.producerRetries} publish retries; ${r.duplicates} messages published twice; ${r.redeliveredInvocations} invocations delivered twice; ${sum((o) => hosts[o].stats.failedMessages)} deliveries failed and were redelivered; ${sum((o) => hosts[o].stats.errors)} trigger-host polls and ${p.syncs.failedScheduled} sync runs failed and were retried`,
    );
  }
  lines.push(...verdictLines(verdict, records));
  if (telemetry.problems.length && !(verdict.identical && verdict.exact)) {
    lines.push(`last warnings of the functions (${telemetry.problems.length}):`);
    for (const line of telemetry.problems.slice(-5)) lines.push(`  ${line.slice(0, 400)}`);
  }
  return lines;
}

async function writeHtmlReport(
  p: DevPipeline,
  { producer }: Production,
  { exports, verdict, seconds }: Verification,
  file: string,
): Promise<void> {
  const { chaos, options } = p;
  const records = producer.records.length;
  await writeReport(file, {
    title: `tricloud dev — ${records.toLocaleString('en-US')} records, route ${options.route}${chaos ? `, chaos on ${chaos.cloud}` : ''}`,
    generatedAt: new Date().toISOString(),
    windows: exports,
    timeline: p.timeline.samples,
    summary: {
      records,
      seconds: Number(seconds.toFixed(1)),
      'records/s': Math.round(records / seconds),
      route: options.route,
      identical: verdict.identical ? 'yes' : `no (${verdict.differing} windows differ)`,
      exact: verdict.exact ? 'yes' : 'no',
      ...Object.fromEntries(ORIGINS.map((o) => [`${o} windows`, exports[o].length])),
      ...(chaos
        ? { chaos: `${chaos.cloud} cut ${CHAOS.outageMs / 1000} s, ${chaos.report.duplicates} duplicates` }
        : {}),
    },
  });
}
