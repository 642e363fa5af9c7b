/**
 * `tricloud query --series S [--window 1m] [--from T] [--to T] [--cloud aws|gcp|azure|auto] [--order …]
 * [--deadline MS] [--format table|ndjson|csv] [--env F]`: one series' windows over a time range, read from
 * a cloud's store through its range index (the core's read use case), from whichever cloud answers first in
 * `auto`.
 */
import { parseArgs } from 'node:util';
import { askInTurn } from '../../shared/client/failover.ts';
import { TIME_FORMS, timeRange } from '../../shared/client/time.ts';
import { type CloudStores, createStores } from '../../shared/clouds/all-stores.ts';
import { type Env, envNames, readOwnStoreSettings } from '../../shared/config/environment.ts';
import {
  checkQuery,
  ORIGINS,
  type Origin,
  type ReadWindow,
  readWindows,
  type WindowQuery,
} from '../../shared/core/index.ts';
import { loadCloudEnv } from '../cli/cloud-env.ts';
import { listOf, oneOf, positiveInt } from '../cli/options.ts';

const usage = `Usage: tricloud query --series S [--window 1m] [--from T] [--to T] [--cloud aws|gcp|azure|auto]
                      [--order aws,gcp,azure] [--deadline MS] [--format table|ndjson|csv] [--env F]

Prints the windows of one series and size whose start is in [from, to), in start order, from a cloud's store.
Times: ${TIME_FORMS}. Defaults: --window 1m, --to now, --from one hour before --to.
--cloud auto (the default) asks the clouds in --order (default TRICLOUD_READ_ORDER, else aws,gcp,azure) and moves
on when one fails or does not answer within --deadline ms (default 3000); the answering cloud is named on stderr.
Exit status: 0 answered (even with no windows), 1 a bad parameter, 2 no cloud answered.`;

const DEFAULT_DEADLINE_MS = 3_000;
const FORMATS = ['table', 'ndjson', 'csv'] as const;
type Format = (typeof FORMATS)[number];

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      series: { type: 'string' },
      window: { type: 'string', default: '1m' },
      from: { type: 'string' },
      to: { type: 'string' },
      cloud: { type: 'string', default: 'auto' },
      order: { type: 'string' },
      deadline: { type: 'string', default: String(DEFAULT_DEADLINE_MS) },
      format: { type: 'string', default: 'table' },
      env: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  let query: WindowQuery;
  let clouds: Origin[];
  let deadlineMs: number;
  let format: Format;
  const env = await loadCloudEnv(values.env);
  try {
    query = queryOf(values);
    checkQuery(query);
    clouds = cloudsOf(values.cloud, values.order, env);
    deadlineMs = positiveInt('--deadline', values.deadline);
    format = oneOf('--format', values.format, FORMATS);
  } catch (error) {
    console.error((error as Error).message);
    return 1;
  }
  return answer(query, clouds, deadlineMs, format, env);
}

async function answer(query: WindowQuery, clouds: Origin[], deadlineMs: number, format: Format, env: Env) {
  const opened = new Map<Origin, Promise<CloudStores>>();
  const open = (cloud: Origin) => {
    if (!opened.has(cloud)) opened.set(cloud, createStores(cloud, readOwnStoreSettings(cloud, env)));
    return opened.get(cloud)!;
  };
  const windows: ReadWindow[] = [];
  const answeredBy = new Set<Origin>();
  let abandoned = false;
  try {
    let next: string | undefined;
    do {
      const page = await askInTurn(
        [...answeredBy, ...clouds.filter((c) => !answeredBy.has(c))],
        async (cloud) => readWindows((await open(cloud)).store, { ...query, ...(next ? { next } : {}) }),
        { deadlineMs },
      );
      for (const p of page.passed) console.error(`${p.cloud} did not answer: ${p.error}`);
      abandoned ||= page.passed.length > 0;
      answeredBy.add(page.cloud);
      windows.push(...page.value.windows);
      next = page.value.next;
    } while (next !== undefined);
  } catch (error) {
    console.error((error as Error).message);
    return 2;
  } finally {
    // A cloud that never answered may hold its client open; close what opened, without waiting on the rest.
    for (const stores of opened.values()) void stores.then((s) => s.close()).catch(() => {});
  }
  console.error(`answered by ${[...answeredBy].join(', ')}: ${windows.length} windows`);
  await new Promise<void>((resolve) => process.stdout.write(render(windows, format), () => resolve()));
  // A cloud passed over for silence may hold a socket open until the OS gives up on it (a silent Firestore: 43 s
  // and more); the answer is out, so the command ends now instead of waiting on it.
  if (abandoned) process.exit(0);
  return 0;
}

function queryOf(values: { series?: string; window: string; from?: string; to?: string }): WindowQuery {
  const { from, to } = timeRange(values, Date.now(), { from: '--from', to: '--to' });
  return { series: values.series ?? '', window: values.window, from, to, limit: 1_000 };
}

/** One cloud, or under `auto` the clouds to ask in turn: `--order`, else `TRICLOUD_READ_ORDER`, else all three. */
function cloudsOf(cloud: string, order: string | undefined, env: Env): Origin[] {
  const choice = oneOf('--cloud', cloud, [...ORIGINS, 'auto']);
  if (choice !== 'auto') return [choice];
  if (order !== undefined) return listOf('--order', order, ORIGINS);
  const fromEnv = env[envNames.read.order];
  return fromEnv === undefined || fromEnv === ''
    ? [...ORIGINS]
    : listOf(envNames.read.order, fromEnv, ORIGINS);
}

const COLUMNS = ['start', 'open', 'high', 'low', 'close', 'volume', 'vwap', 'count', 'exact'] as const;

function render(windows: readonly ReadWindow[], format: Format): string {
  if (format === 'ndjson') return windows.map((w) => `${JSON.stringify(w)}\n`).join('');
  if (format === 'csv') {
    const rows = windows.map((w) =>
      [w.series, w.window, ...COLUMNS.map((c) => String(w[c] ?? ''))].join(','),
    );
    return `${['series', 'window', ...COLUMNS].join(',')}\n${rows.map((r) => `${r}\n`).join('')}`;
  }
  const head = `${'start'.padEnd(24)}${COLUMNS.slice(1)
    .map((c) => c.padStart(14))
    .join('')}\n`;
  const rows = windows.map(
    (w) =>
      `${new Date(w.start).toISOString().padEnd(24)}${COLUMNS.slice(1)
        .map((c) => String(w[c] ?? '').padStart(14))
        .join('')}\n`,
  );
  return head + rows.join('');
}
