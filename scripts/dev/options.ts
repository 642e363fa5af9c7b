/** `tricloud dev`'s options: parsed once, checked with a sentence naming the fix, typed for the rest of the run. */
import { parseArgs } from 'node:util';
import { ROUTES, type Route } from '../../producers/routing.ts';
import { ORIGINS, type Origin } from '../../shared/core/index.ts';
import { duration, oneOf, positiveInt, seed as seedOption } from '../cli/options.ts';

export type DevSource = 'synthetic' | 'file';

export interface DevOptions {
  source: DevSource;
  file?: string;
  records: number;
  series: number;
  route: Route;
  seed: number;
  syncEveryMs: number;
  export?: string;
  report?: string;
  keepRunning: boolean;
  envFile?: string;
  chaos: boolean;
  /** The cloud `--chaos` takes down. */
  chaosCloud: Origin;
  /** Live view: redraw in place (a TTY) or print a line now and then. */
  live: 'redraw' | 'lines';
}

export const usage = `Usage: tricloud dev [options]      (npm start -- [options])

Runs the whole pipeline on the local stack: servers, the built ingest functions behind local trigger hosts, the
built sync functions on schedules, and a producer; shows each cloud live; then verifies the three stores are
identical and equal to a reference computed from the records produced. Exit status 0 when they are.

Options:
  --source S         synthetic | file (default synthetic; file when --file is given)
  --file PATH        records to produce, one JSON record per line (DESIGN §2); bad lines are reported and skipped
  --records N        synthetic trades to produce (default 100000)
  --series N         synthetic series (default 8)
  --seed N           seed of the synthetic stream (default 1)
  --route R          partition | failover | mirror (default partition)
  --sync-every D     interval of each cloud's sync schedule (default 2s)
  --export DIR       write DIR/aws.ndjson, DIR/gcp.ndjson, DIR/azure.ndjson in the export format
  --report FILE      write an HTML report of the run (candles per cloud, throughput, sync lag, summary)
  --chaos            during production, cut one cloud's servers and restore them, and re-deliver a sample of
                     messages; the run must still end exact
  --chaos-cloud C    aws | gcp | azure: the cloud --chaos cuts (default: picked by the seed)
  --keep-running     stay up after the run for other producers (Ctrl-C stops); writes the environment to
                     --env (default .tricloud/dev.env)
  --env FILE         where --keep-running writes the stack's environment
  -h, --help         show this help`;

/** Parses argv; `undefined` means help was asked for. */
export function parseDevOptions(
  argv: string[],
  isTTY = Boolean(process.stdout.isTTY),
): DevOptions | undefined {
  const { values } = parseArgs({
    args: argv,
    options: {
      source: { type: 'string' },
      file: { type: 'string' },
      records: { type: 'string', default: '100000' },
      series: { type: 'string', default: '8' },
      route: { type: 'string', default: 'partition' },
      seed: { type: 'string', default: '1' },
      'sync-every': { type: 'string', default: '2s' },
      export: { type: 'string' },
      report: { type: 'string' },
      chaos: { type: 'boolean', default: false },
      'chaos-cloud': { type: 'string' },
      'keep-running': { type: 'boolean', default: false },
      env: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return undefined;
  const source: DevSource = oneOf('--source', values.source ?? (values.file ? 'file' : 'synthetic'), [
    'synthetic',
    'file',
  ]);
  if (source === 'file' && !values.file)
    throw new Error('--source file needs --file PATH: a file of JSON records, one per line.');
  const route = oneOf('--route', values.route, ROUTES);
  const seed = seedOption('--seed', values.seed);
  const chaosCloud: Origin =
    values['chaos-cloud'] === undefined
      ? ORIGINS[seed % ORIGINS.length]!
      : oneOf('--chaos-cloud', values['chaos-cloud'], ORIGINS);
  return {
    source,
    ...(values.file ? { file: values.file } : {}),
    records: positiveInt('--records', values.records),
    series: positiveInt('--series', values.series),
    route,
    seed,
    syncEveryMs: duration('--sync-every', values['sync-every']),
    ...(values.export ? { export: values.export } : {}),
    ...(values.report ? { report: values.report } : {}),
    keepRunning: values['keep-running'],
    ...(values.env || values['keep-running'] ? { envFile: values.env ?? '.tricloud/dev.env' } : {}),
    chaos: values.chaos,
    chaosCloud,
    live: isTTY ? 'redraw' : 'lines',
  };
}
