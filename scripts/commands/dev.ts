/**
 * `tricloud dev` (what `npm start` runs): the whole pipeline on the local stack. Starts the six servers, the three
 * clouds' ingest functions behind their platforms' local trigger hosts, and the three sync schedules; produces
 * synthetic trades into all three clouds; shows each cloud live; and once everything has drained and converged,
 * verifies that the three stores are identical and equal to a reference computed directly from the records.
 * The exit status says whether that held.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { syncRuntime } from '../../functions/sync-runtime.ts';
import { createPublisher, type OutboundMessage, type Publisher } from '../../producers/publishers.ts';
import { type Route, routeSeries } from '../../producers/routing.ts';
import { syntheticTrades } from '../../producers/synthetic-trades.ts';
import { MESSAGE_MAX_BYTES } from '../../producers/transport-limits.ts';
import { readCloudSettings } from '../../shared/config/local-env.ts';
import { readPipelineSettings } from '../../shared/config/pipeline.ts';
import { compareExports, MessagePacker, ORIGINS, type Origin } from '../../shared/core/index.ts';
import { writeEnvFile } from '../local-stack/env-file.ts';
import { startLocalStack } from '../local-stack/local-stack.ts';
import { firstDifference, referenceWindows } from '../reference-windows.ts';
import { type SyncTimer, startSyncTimer } from '../trigger-hosts/sync-timer.ts';
import { startIngestHosts } from './ingest-hosts.ts';
import { readExports } from './read-exports.ts';

const usage = `Usage: tricloud dev [options]      (npm start -- [options])

Runs the whole pipeline on the local stack: servers, ingest functions, sync schedules and a producer; shows each
cloud live; then verifies the three stores are identical and exact. Exit status 0 when they are.

Options:
  --records N        synthetic trades to produce (default 100000)
  --series N         series (default 8)
  --route R          partition | mirror (default partition)
  --seed N           seed of the synthetic stream (default 1)
  --sync-every D     interval of each cloud's sync schedule (default 2s)
  --export DIR       write DIR/aws.ndjson, DIR/gcp.ndjson, DIR/azure.ndjson in the export format
  --keep-running     stay up after the run for other producers (Ctrl-C stops); with --env-file, write the env
  --env-file FILE    where --keep-running writes the stack's environment
  -h, --help         show this help`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      records: { type: 'string', default: '100000' },
      series: { type: 'string', default: '8' },
      route: { type: 'string', default: 'partition' },
      seed: { type: 'string', default: '1' },
      'sync-every': { type: 'string', default: '2s' },
      export: { type: 'string' },
      'keep-running': { type: 'boolean', default: false },
      'env-file': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const route = values.route as Route;
  if (route !== 'partition' && route !== 'mirror')
    throw new Error(`--route takes partition or mirror, not '${route}'.`);
  const started = performance.now();
  const say = (line: string) =>
    console.log(`[${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s] ${line}`);

  say('starting the local stack (SQS, DynamoDB, Pub/Sub, Firestore, Event Hubs, Cosmos DB)…');
  const stack = await startLocalStack({ log: (line) => say(`  ${line}`) });
  const stoppers: (() => Promise<unknown>)[] = [() => stack.stop()];
  const stopAll = async () => {
    for (const stop of stoppers.reverse()) await stop().catch(() => {});
  };
  process.once('SIGINT', () => void stopAll().then(() => process.exit(130)));
  process.once('SIGTERM', () => void stopAll().then(() => process.exit(143)));
  try {
    Object.assign(process.env, stack.env, { TRICLOUD_LOG_LEVEL: process.env.TRICLOUD_LOG_LEVEL ?? 'error' });
    const settings = readCloudSettings(process.env);
    const { windows } = readPipelineSettings(process.env);

    const hosts = await startIngestHosts(settings);
    stoppers.push(() => Promise.all(Object.values(hosts).map((h) => h.stop())));
    const syncEvery = parseDurationOption(values['sync-every']);
    const timers = Object.fromEntries(
      ORIGINS.map((o) => [o, startSyncTimer(`sync-${o}`, syncRuntime(o), syncEvery)]),
    ) as Record<Origin, SyncTimer>;
    stoppers.push(() => Promise.all(Object.values(timers).map((t) => t.stop())));
    say(
      `ingest hosts up (SQS → Lambda, Pub/Sub → Cloud Function, Event Hubs → Azure Function); sync every ${values['sync-every']}`,
    );

    const records = syntheticTrades({
      records: Number(values.records),
      series: Number(values.series),
      intervalMs: 250,
      seed: Number(values.seed),
    });
    say(
      `producing ${records.length.toLocaleString('en-US')} synthetic trades over ${values.series} series, route ${route}`,
    );
    const sent = await produce(records, route, settings);
    say(
      `produced: ${ORIGINS.map((o) => `${o} ${sent[o].messages} messages / ${sent[o].records} records`).join(', ')}`,
    );

    const view = setInterval(() => say(status(hosts, timers, sent)), 2_000);
    try {
      await until(
        () =>
          ORIGINS.every((o) => hosts[o].stats.messages - hosts[o].stats.failedMessages >= sent[o].messages),
        10 * 60_000,
        'every message to be ingested',
      );
      say(`drained: ${status(hosts, timers, sent)}`);
      for (const timer of Object.values(timers)) await timer.stop();
      const rounds = await syncUntilQuiet();
      say(`converged after ${rounds} final sync round(s)`);
    } finally {
      clearInterval(view);
    }

    const exports = await Promise.all(ORIGINS.map((o) => readExports(o, process.env)));
    const result = compareExports(Object.fromEntries(ORIGINS.map((o, i) => [o, exports[i]!])));
    const reference = referenceWindows(records, windows);
    const differences = ORIGINS.map((o, i) => [o, firstDifference(exports[i]!, reference)] as const);
    if (values.export) {
      await mkdir(values.export, { recursive: true });
      for (const [i, o] of ORIGINS.entries()) {
        const text = exports[i]!.map((w) => JSON.stringify(w)).join('\n');
        await writeFile(path.join(values.export, `${o}.ndjson`), text + (text ? '\n' : ''));
      }
      say(`exported to ${values.export}/{aws,gcp,azure}.ndjson`);
    }

    const seconds = (performance.now() - started) / 1000;
    console.log('\ncloud  records sent  messages  invocations  failed deliveries  windows  sync runs');
    for (const [i, o] of ORIGINS.entries()) {
      const h = hosts[o].stats;
      console.log(
        `${o.padEnd(5)}  ${String(sent[o].records).padStart(12)}  ${String(sent[o].messages).padStart(8)}  ${String(h.invocations).padStart(11)}  ${String(h.failedMessages).padStart(17)}  ${String(exports[i]!.length).padStart(7)}  ${String(timers[o].stats.invocations).padStart(9)}`,
      );
    }
    console.log(
      `\n${records.length.toLocaleString('en-US')} records end to end in ${seconds.toFixed(1)} s (${Math.round(records.length / seconds).toLocaleString('en-US')} records/s including start-up)`,
    );
    const identical = result.identical;
    const exact = differences.every(([, d]) => d === undefined);
    console.log(
      identical
        ? '✔ the three stores are identical'
        : `✘ the stores differ in ${result.differing.length} windows`,
    );
    for (const [o, d] of differences) if (d) console.log(`✘ ${o} differs from the reference: ${d}`);
    if (exact)
      console.log(
        `✔ every store equals the reference computed from the ${records.length.toLocaleString('en-US')} records (${reference.length} windows)`,
      );

    if (values['keep-running']) {
      if (values['env-file']) await writeEnvFile(values['env-file'], stack.env);
      say(
        `still running for other producers${values['env-file'] ? `; environment in ${values['env-file']}` : ''}; Ctrl-C stops`,
      );
      await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
    }
    return identical && exact ? 0 : 1;
  } finally {
    await stopAll();
  }
}

interface Sent {
  messages: number;
  records: number;
}

/** Packs each cloud's records per series (one series per message, so Event Hubs keys it) and publishes them. */
async function produce(
  records: ReturnType<typeof syntheticTrades>,
  route: Route,
  settings: ReturnType<typeof readCloudSettings>,
) {
  const sent = Object.fromEntries(ORIGINS.map((o) => [o, { messages: 0, records: 0 }])) as Record<
    Origin,
    Sent
  >;
  const publishers = Object.fromEntries(ORIGINS.map((o) => [o, createPublisher(o, settings)])) as Record<
    Origin,
    Publisher
  >;
  const outbox = Object.fromEntries(ORIGINS.map((o) => [o, [] as OutboundMessage[]])) as Record<
    Origin,
    OutboundMessage[]
  >;
  const packers = new Map<string, MessagePacker>();
  let batch = 0;
  const packerFor = (cloud: Origin, series: string) => {
    const key = `${cloud}\u0000${series}`;
    let packer = packers.get(key);
    if (!packer) {
      packer = new MessagePacker(
        { maxBytes: MESSAGE_MAX_BYTES, maxRecords: 500 },
        () => `dev-${cloud}-${batch++}`,
      );
      packers.set(key, packer);
    }
    return packer;
  };
  const flush = async (force: boolean) => {
    await Promise.all(
      ORIGINS.map(async (o) => {
        if (!force && outbox[o].length < 50) return;
        const messages = outbox[o].splice(0);
        if (messages.length) await publishers[o].publish(messages);
        sent[o].messages += messages.length;
      }),
    );
  };
  try {
    for (const r of records) {
      for (const cloud of routeSeries(r.series, route)) {
        sent[cloud].records++;
        const done = packerFor(cloud, r.series).add(r);
        if (done) outbox[cloud].push({ body: done, partitionKey: r.series });
      }
      if (ORIGINS.some((o) => outbox[o].length >= 50)) await flush(false);
    }
    for (const [key, packer] of packers) {
      const done = packer.flush();
      const [cloud, series] = key.split('\u0000') as [Origin, string];
      if (done) outbox[cloud].push({ body: done, partitionKey: series });
    }
    await flush(true);
  } finally {
    await Promise.all(ORIGINS.map((o) => publishers[o].close()));
  }
  return sent;
}

function status(
  hosts: Awaited<ReturnType<typeof startIngestHosts>>,
  timers: Record<Origin, SyncTimer>,
  sent: Record<Origin, Sent>,
): string {
  return ORIGINS.map((o) => {
    const h = hosts[o].stats;
    const lags = timers[o].lastReport?.sources.map(
      (s) => `${s.source} ${s.lagMs === undefined ? '-' : `${(s.lagMs / 1000).toFixed(1)}s`}`,
    );
    return `${o}: ingested ${h.messages - h.failedMessages}/${sent[o].messages} msgs, ${h.failedMessages} retried, sync lag ${lags?.join(' ') ?? 'n/a'}`;
  }).join(' | ');
}

async function syncUntilQuiet(): Promise<number> {
  const runs = Object.fromEntries(ORIGINS.map((o) => [o, syncRuntime(o)])) as Record<
    Origin,
    ReturnType<typeof syncRuntime>
  >;
  for (let round = 1; round <= 10; round++) {
    let written = 0;
    for (const o of ORIGINS) {
      const report = await runs[o]();
      for (const s of report.sources) {
        if (s.error) throw new Error(`sync into ${o} from ${s.source} failed: ${s.error}`);
        written += s.written;
      }
    }
    if (written === 0) return round;
  }
  throw new Error('the stores did not converge in 10 sync rounds');
}

async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function parseDurationOption(text: string): number {
  const match = /^(\d+)(ms|s|m)$/.exec(text);
  if (!match) throw new Error(`'${text}' is not a duration like 500ms, 5s or 1m.`);
  return Number(match[1]) * ({ ms: 1, s: 1_000, m: 60_000 } as const)[match[2] as 'ms' | 's' | 'm'];
}
