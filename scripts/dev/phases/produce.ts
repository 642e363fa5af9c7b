/**
 * `tricloud dev`'s second phase: records from the synthetic or file source through the producer engine into the
 * clouds, each cloud shown live; under `--chaos`, production paced so a cloud's outage falls inside it, and a
 * sample of the messages published a second time once it is done.
 */
import path from 'node:path';
import { fileSource } from '../../../producers/sources/file.ts';
import type { Source } from '../../../producers/sources/source.ts';
import { syntheticSource } from '../../../producers/sources/synthetic.ts';
import { ORIGINS, type Origin } from '../../../shared/core/index.ts';
import { CHAOS } from '../chaos.ts';
import { cloudRows } from '../cloud-rows.ts';
import { type DevProducer, startDevProducer } from '../dev-producer.ts';
import { type LiveView, startLiveView } from '../live-view.ts';
import type { DevOptions } from '../options.ts';
import { seededRandom } from '../seeded-random.ts';
import type { DevPipeline } from './start.ts';

export interface Production {
  readonly producer: DevProducer;
  /** ms since the run started when the first record was read. */
  readonly startedMs: number;
  /** The live view, running until the stores have converged. */
  readonly view: LiveView;
}

export async function produce(p: DevPipeline): Promise<Production> {
  const { options, log } = p;
  const source = await recordSource(options);
  const total = source.total;
  const rejectsFile = path.join('.tricloud', 'dev-rejects.ndjson');
  log.say(`producing ${describe(options)}, route ${options.route}`);
  const startedMs = log.elapsedMs();
  const producer = startDevProducer(source, {
    route: options.route,
    settings: p.settings,
    rejectsFile,
    ...(p.chaos && total ? { rate: Math.max(1, total / (CHAOS.productionMs / 1000)) } : {}),
  });
  p.phase = 'producing';
  const view = startLiveView({
    mode: options.live,
    elapsed: log.elapsed,
    status: () => ({
      phase: `${p.phase} — ${producer.read.toLocaleString('en-US')}${total ? `/${total.toLocaleString('en-US')}` : ''} records produced`,
      rows: cloudRows(p, (o) => queued(p, producer, o)),
    }),
  });
  log.through(view.say);
  p.shutdown.defer(() => view.stop());

  const outage = p.chaos?.outage(
    () => (total ? producer.read / total : Math.min(1, log.elapsedMs() / 8_000)),
    CHAOS.outageMs,
    log.elapsedMs,
    log.say,
  );
  const stats = await producer.done;
  log.say(
    `produced: ${ORIGINS.map((o) => `${o} ${producer.sent[o].messages} messages / ${producer.sent[o].records} records`).join(', ')}`,
  );
  if (stats.rejected)
    log.say(`skipped ${stats.rejected} bad lines of ${options.file}; each with its reason in ${rejectsFile}`);
  if (stats.duplicates) log.say(`the source repeated ${stats.duplicates} records; each was sent once`);
  if (p.chaos) {
    await outage;
    const again = await p.chaos.duplicate(producer, CHAOS.duplicateFraction, seededRandom(options.seed));
    p.chaos.report.producerRetries = ORIGINS.reduce((n, o) => n + producer.sent[o].retries, 0);
    log.say(`chaos: published ${again} messages a second time`);
  }
  return { producer, startedMs, view };
}

/** Messages sent to `cloud` that its trigger host has not yet delivered successfully. */
function queued(p: DevPipeline, producer: DevProducer, cloud: Origin): number {
  const h = p.hosts[cloud].stats;
  return Math.max(0, producer.sent[cloud].messages - (h.messages - h.failedMessages));
}

async function recordSource(options: DevOptions): Promise<Source> {
  if (options.source === 'file') return fileSource(options.file!);
  return syntheticSource({
    seed: options.seed,
    series: options.series,
    records: options.records,
    intervalMs: 250,
  });
}

function describe(options: DevOptions): string {
  return options.source === 'file'
    ? `the records of ${options.file}`
    : `${options.records.toLocaleString('en-US')} synthetic trades over ${options.series} series`;
}
