/**
 * `tricloud produce`: records from a source into the clouds' transports, routed, packed under each transport's
 * limits, spooled to disk first so a killed producer resumes where it was and loses nothing. The engine is
 * `producers/producer.ts`; this file reads options and the environment, and shows progress.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { type ProducerStats, runProducer } from '../../producers/producer.ts';
import { type ProgressView, progressView } from '../../producers/progress.ts';
import { createPublisher } from '../../producers/publishers.ts';
import { ROUTES, type Route } from '../../producers/routing.ts';
import type { BinanceSource } from '../../producers/sources/binance.ts';
import { fileSource } from '../../producers/sources/file.ts';
import type { Source } from '../../producers/sources/source.ts';
import { type SyntheticKind, syntheticSource } from '../../producers/sources/synthetic.ts';
import {
  type CloudSettings,
  readAwsSettings,
  readAzureSettings,
  readGcpSettings,
} from '../../shared/config/environment.ts';
import { fnv1a32, ORIGINS, type Origin } from '../../shared/core/index.ts';
import { loadCloudEnv } from '../cli/cloud-env.ts';
import { duration, listOf, oneOf, positiveInt, positiveNumber, seed } from '../cli/options.ts';

const usage = `Usage: tricloud produce [options]

Sends records to the clouds' transports (SQS, Pub/Sub, Event Hubs) named by the environment or --env.
Everything read is spooled to disk before it is sent: a run that is killed resumes when the same command runs
again, and what a cloud does not accept now is sent when it is back (to that cloud only, except that under
--route failover what was never sent to it goes to the next healthy cloud). A (series, seq) already taken by this
state is dropped as a duplicate, also after a restart.

Source:
  --source S         synthetic | file | binance (default synthetic; file with --file, binance with --symbols)
  --seed N           synthetic: seed of the deterministic stream (default 1)
  --series N         synthetic: number of series (default 8)
  --kind K           synthetic: trades (random walks) | meters (readings) (default trades)
  --prefix P         synthetic: name the series P000, P001, … (default SYM000USDT… or meter-000…)
  --file PATH        file: NDJSON or CSV records in the DESIGN §2 format, streamed
  --format F         file: ndjson | csv (default by the extension)
  --symbols LIST     binance: live spot trades of these symbols, e.g. BTCUSDT,ETHUSDT (runs until Ctrl-C,
                     --records or --duration; a restart fills the trades it missed from Binance's REST API)
  --stream-url URL   binance: WebSocket base URL (default wss://data-stream.binance.vision)
  --rest-url URL     binance: REST base URL for gap fills, or 'none' to only count gaps (default api.binance.com)
Sending:
  --to LIST          clouds, comma-separated, in failover order (default aws,gcp,azure)
  --route R          partition: each series to its home cloud (default) | failover: to the next healthy cloud
                     while the home cloud is down | mirror: every record to every cloud
  --rate N           records per second at most
  --records N        records to read in total (synthetic default 10000 unless --duration)
  --duration D       stop reading after D (e.g. 30s, 5m)
  --drain-timeout D  after the source ends, keep retrying clouds that are down this long (default 30s)
State:
  --state-dir DIR    spool, checkpoint and rejects (default .tricloud/produce/<run id from the source and route>)
  --rejects FILE     where invalid lines go (default <state dir>/rejects.ndjson)
  --fresh            forget an earlier run's state and start the source from the beginning
Output:
  --env FILE    endpoints (the file 'tricloud stack up --env' writes, or one for real clouds)
  --json             progress as JSON lines; the final summary as one JSON object on the last line
  -h, --help         show this help

Exit status: 0 when every record read was accepted, 2 when some are still spooled (run again to deliver), 1 on error.`;

const OPTIONS = {
  source: { type: 'string' },
  seed: { type: 'string', default: '1' },
  series: { type: 'string', default: '8' },
  kind: { type: 'string', default: 'trades' },
  prefix: { type: 'string' },
  file: { type: 'string' },
  format: { type: 'string' },
  symbols: { type: 'string' },
  'stream-url': { type: 'string' },
  'rest-url': { type: 'string' },
  to: { type: 'string', default: 'aws,gcp,azure' },
  route: { type: 'string', default: 'partition' },
  rate: { type: 'string' },
  records: { type: 'string' },
  duration: { type: 'string' },
  'drain-timeout': { type: 'string', default: '30s' },
  'state-dir': { type: 'string' },
  rejects: { type: 'string' },
  fresh: { type: 'boolean', default: false },
  env: { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = ReturnType<typeof parseArgs<{ args: string[]; options: typeof OPTIONS }>>['values'];

const SOURCES = ['synthetic', 'file', 'binance'] as const;
const SYNTHETIC_KINDS = ['trades', 'meters'] as const satisfies readonly SyntheticKind[];

/** The options that shape the run, read and checked; the source's own are read where the source is built. */
interface RunOptions {
  source: (typeof SOURCES)[number];
  route: Route;
  to: Origin[];
  rate: number | undefined;
  records: number | undefined;
  durationMs: number | undefined;
  drainTimeoutMs: number;
}

/** The source to read, and what limits the run: a synthetic source's count is its own length, not a limit. */
interface BuiltSource {
  source: Source;
  binance?: BinanceSource;
  maxRecords: number | undefined;
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: OPTIONS });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const options = readOptions(values);
  const built = await buildSource(options, values);
  await loadCloudEnv(values.env);
  const settings = cloudSettings(options.to, process.env);
  const stateDir =
    values['state-dir'] ??
    path.join('.tricloud', 'produce', runId(built.source.name, options.route, options.to, built.maxRecords));
  if (values.fresh) await rm(stateDir, { recursive: true, force: true });
  const view = progressView({
    json: values.json,
    tty: process.stdout.isTTY === true,
    write: (text) => process.stdout.write(text),
  });
  const stats = await produce(built, options, { settings, stateDir, view, values });
  return report(stats, built.binance, view, values.json);
}

function readOptions(values: Values): RunOptions {
  const inferred =
    values.file !== undefined ? 'file' : values.symbols !== undefined ? 'binance' : 'synthetic';
  return {
    route: oneOf('--route', values.route, ROUTES),
    to: listOf('--to', values.to, ORIGINS),
    rate: values.rate === undefined ? undefined : positiveNumber('--rate', values.rate),
    records: values.records === undefined ? undefined : positiveInt('--records', values.records),
    durationMs: values.duration === undefined ? undefined : duration('--duration', values.duration),
    drainTimeoutMs: duration('--drain-timeout', values['drain-timeout']),
    source: oneOf('--source', values.source ?? inferred, SOURCES),
  };
}

async function buildSource(options: RunOptions, values: Values): Promise<BuiltSource> {
  const { records, durationMs } = options;
  switch (options.source) {
    case 'synthetic': {
      // Without --records or --duration a synthetic run is 10,000 records long.
      const total = records ?? (durationMs === undefined ? 10_000 : undefined);
      const source = syntheticSource({
        seed: seed('--seed', values.seed),
        series: positiveInt('--series', values.series),
        kind: oneOf('--kind', values.kind, SYNTHETIC_KINDS),
        ...(values.prefix === undefined ? {} : { prefix: values.prefix }),
        ...(total === undefined ? {} : { records: total }),
      });
      return { source, maxRecords: undefined };
    }
    case 'file':
      if (values.file === undefined)
        throw new Error('--source file needs --file PATH (an NDJSON or CSV file).');
      return { source: await fileSource(values.file, values.format), maxRecords: records };
    case 'binance': {
      if (values.symbols === undefined)
        throw new Error('--source binance needs --symbols LIST, e.g. --symbols BTCUSDT,ETHUSDT.');
      const { binanceSource } = await import('../../producers/sources/binance.ts');
      const restUrl = values['rest-url'];
      const binance = binanceSource({
        symbols: values.symbols.split(',').map((s) => s.trim()),
        ...(values['stream-url'] === undefined ? {} : { baseUrl: values['stream-url'] }),
        ...(restUrl === undefined ? {} : { restUrl: restUrl === 'none' ? false : restUrl }),
      });
      return { source: binance, binance, maxRecords: records };
    }
  }
}

/** Runs the producer with its progress on the view. Ctrl-C (or SIGTERM) stops reading; a second one quits at once. */
async function produce(
  { source, maxRecords }: BuiltSource,
  options: RunOptions,
  run: { settings: Partial<CloudSettings>; stateDir: string; view: ProgressView; values: Values },
): Promise<ProducerStats> {
  const { settings, stateDir, view, values } = run;
  const { route, to, rate, durationMs, drainTimeoutMs } = options;
  const controller = new AbortController();
  let interrupts = 0;
  const onInterrupt = () => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    if (!values.json)
      process.stderr.write(
        '\nstopping: the open chunk is spooled, then a short grace to send (Ctrl-C again to quit now; nothing read is lost)\n',
      );
    controller.abort();
  };
  process.on('SIGINT', onInterrupt);
  process.on('SIGTERM', onInterrupt);
  try {
    return await runProducer(source, {
      settings,
      publisherFor: (cloud) => createPublisher(cloud, settings as CloudSettings),
      route,
      to,
      stateDir,
      ...(values.rejects === undefined ? {} : { rejectsFile: values.rejects }),
      ...(rate === undefined ? {} : { rate }),
      ...(maxRecords === undefined ? {} : { maxRecords }),
      ...(durationMs === undefined ? {} : { durationMs }),
      drainTimeoutMs,
      signal: controller.signal,
      onProgress: (p) => view.update(p),
    });
  } finally {
    process.off('SIGINT', onInterrupt);
    process.off('SIGTERM', onInterrupt);
  }
}

/** Prints the summary, with the binance stream's reconnects and gaps, and gives the exit status. */
function report(
  stats: ProducerStats,
  binance: BinanceSource | undefined,
  view: ProgressView,
  json: boolean,
): number {
  if (binance) {
    const { reconnects, filled, missing, gaps } = binance.stats;
    const where = gaps.map((g) => `${g.symbol} ${g.fromId}-${g.toId}`).join(', ');
    if (!json)
      console.log(
        `binance: ${reconnects} reconnects, ${filled} trades filled from REST, ${missing} missed${gaps.length ? ` (${where})` : ''}`,
      );
    Object.assign(stats, { binance: { reconnects, filled, missing, gaps } });
  }
  view.done(stats);
  return stats.delivered ? 0 : 2;
}

/** Reads only the chosen clouds' settings, so `--to aws` needs no Azure variables; a missing one is named. */
function cloudSettings(to: readonly Origin[], env: NodeJS.ProcessEnv): Partial<CloudSettings> {
  const settings: Partial<CloudSettings> = {};
  if (to.includes('aws')) settings.aws = readAwsSettings(env);
  if (to.includes('gcp')) settings.gcp = readGcpSettings(env);
  if (to.includes('azure')) settings.azure = readAzureSettings(env);
  return settings;
}

/** The same source, route and clouds give the same run id, so running the same command again resumes it. */
function runId(
  sourceName: string,
  route: string,
  to: readonly Origin[],
  maxRecords: number | undefined,
): string {
  const identity = `${sourceName}|${route}|${to.join(',')}|${maxRecords ?? ''}`;
  const slug = sourceName
    .replace(/[^A-Za-z0-9._=-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(-60);
  return `${slug}-${route}-${fnv1a32(identity).toString(16).padStart(8, '0')}`;
}
