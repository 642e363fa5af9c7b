/**
 * `tricloud produce` on the local stack (issue 5): each source and route into the real servers through the official
 * clients, the three ingest functions behind their trigger hosts, and the stores compared with a reference computed
 * from the records. "Nothing lost, nothing twice across clouds" is checked per window: the counts the three clouds
 * hold for it sum to the reference's count (each cloud's own part, since no sync runs here).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runProducer } from '../../producers/producer.ts';
import { createPublisher } from '../../producers/publishers.ts';
import { homeCloud } from '../../producers/routing.ts';
import { fileSource } from '../../producers/sources/file.ts';
import { syntheticRecords, syntheticSource } from '../../producers/sources/synthetic.ts';
import { proxyCloud } from '../../scripts/local-stack/outage-proxy.ts';
import type { TriggerHost } from '../../scripts/trigger-hosts/host-loop.ts';
import { writeEnvFile } from '../../shared/config/env-file.ts';
import { readCloudSettings } from '../../shared/config/environment.ts';
import {
  type DataRecord,
  type ExportedWindow,
  exportWindow,
  ORIGINS,
  type Origin,
  parseWindows,
  windowId,
} from '../../shared/core/index.ts';
import { replayTrades, startBinanceReplayServer } from '../helpers/binance-replay-server.ts';
import {
  awsHarness,
  azureHarness,
  type CloudHarness,
  gcpHarness,
  useStackEnv,
} from '../helpers/cloud-harness.ts';
import { eventually } from '../helpers/eventually.ts';
import { expectExact, referenceWindows } from '../helpers/records.ts';

const WINDOWS = parseWindows('1m');
const clouds = {} as Record<Origin, CloudHarness>;
const hosts: TriggerHost[] = [];
let env: Record<string, string>;

beforeAll(async () => {
  env = useStackEnv();
  clouds.aws = awsHarness();
  clouds.gcp = gcpHarness();
  clouds.azure = azureHarness();
  for (const o of ORIGINS) hosts.push(await clouds[o].startHost());
});

afterAll(async () => {
  for (const h of hosts) await h.stop();
  for (const o of ORIGINS) await clouds[o]?.close();
});

const unique = (tag: string) => `${tag}${Date.now().toString(36)}${Math.random().toString(36).slice(2, 5)}-`;
const stateDir = () => mkdtemp(path.join(tmpdir(), 'produce-it-'));

/** Each cloud's windows for the reference's ids. */
async function windowsIn(
  cloud: Origin,
  reference: readonly ExportedWindow[],
): Promise<Map<string, ExportedWindow>> {
  const docs = await clouds[cloud].store.read(reference.map((w) => windowId(w)));
  return new Map(
    [...docs.entries()].flatMap(([id, doc]) =>
      doc.kind === 'window' ? [[id, exportWindow(doc)] as const] : [],
    ),
  );
}

/** Waits until, for every window, the clouds' counts sum to the reference's: every record in exactly one cloud. */
async function expectEachRecordInOneCloud(
  records: readonly DataRecord[],
): Promise<Record<Origin, Map<string, ExportedWindow>>> {
  const reference = referenceWindows(records, WINDOWS);
  const seen = await eventually(
    async () =>
      Object.fromEntries(
        await Promise.all(ORIGINS.map(async (o) => [o, await windowsIn(o, reference)] as const)),
      ),
    (byCloud) =>
      reference.every((w) => {
        const id = windowId(w);
        return ORIGINS.reduce((sum, o) => sum + (byCloud[o]!.get(id)?.count ?? 0), 0) === w.count;
      }),
    { what: 'the clouds to hold every record once', timeoutMs: 90_000, intervalMs: 500 },
  );
  return seen as Record<Origin, Map<string, ExportedWindow>>;
}

describe('tricloud produce on the local stack', () => {
  it('partitions synthetic trades: each series in its home cloud, exact there', async () => {
    const prefix = unique('P');
    const options = { seed: 11, series: 6, records: 3_000, prefix };
    const stats = await runProducer(syntheticSource(options), {
      settings: readCloudSettings(env),
      route: 'partition',
      stateDir: await stateDir(),
    });
    expect(stats).toMatchObject({ read: 3_000, delivered: true });
    const records = Array.from({ length: 3_000 }, syntheticRecords(options));
    await expectEachRecordInOneCloud(records);
    for (const o of ORIGINS) {
      const mine = records.filter((r) => homeCloud(r.series) === o);
      const reference = referenceWindows(mine, WINDOWS);
      expectExact([...(await windowsIn(o, reference)).values()], reference);
      expect(stats.perCloud[o]!.records).toBe(mine.length);
      // Many records per message, not one each.
      expect(stats.perCloud[o]!.messages).toBeLessThan(mine.length / 50);
    }
  });

  it('mirrors a CSV file with malformed lines to every cloud, and lists the bad lines with reasons', async () => {
    const dir = await stateDir();
    const series = unique('F').slice(0, -1);
    const records = Array.from({ length: 400 }, (_, i) => ({
      series,
      seq: i,
      ts: 1_700_000_000_000 + i * 997,
      value: 100 + (i % 13) / 8,
      qty: (i % 5) / 4,
    }));
    const lines = [
      'series,seq,ts,value,qty',
      ...records.map((r) => `${r.series},${r.seq},${r.ts},${r.value},${r.qty}`),
    ];
    lines.splice(10, 0, `${series},-1,1700000000000,1,1`);
    lines.splice(20, 0, 'garbage');
    lines.splice(30, 0, `${series},5,1700000000000,1,1`);
    const file = path.join(dir, 'trades.csv');
    await writeFile(file, `${lines.join('\n')}\n`);
    const stats = await runProducer(await fileSource(file), {
      settings: readCloudSettings(env),
      route: 'mirror',
      stateDir: path.join(dir, 'state'),
    });
    expect(stats).toMatchObject({ read: 401, rejected: 2, duplicates: 1, delivered: true });
    const rejects = (await readFile(stats.rejectsFile, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rejects.map((r) => r.line)).toEqual([11, 21]);
    expect(rejects[0].reason).toBe('seq must be an integer from 0 to 2^53 − 1, got -1');
    const reference = referenceWindows(records, WINDOWS);
    for (const o of ORIGINS) {
      const actual = await eventually(
        () => windowsIn(o, reference),
        (m) => reference.every((w) => m.get(windowId(w))?.count === w.count),
        { what: `${o} to hold the mirrored file`, timeoutMs: 90_000, intervalMs: 500 },
      );
      expectExact([...actual.values()], reference);
    }
  });

  // SQS refuses connections during the cut; Pub/Sub's and Event Hubs' clients wait for one, so their lane gives up
  // on a publish after 10 s instead, and the messages queued behind it are moved all the same.
  it.each(ORIGINS)(
    'fails over while %s is down, then delivers its spool when it is back: each record in one cloud',
    async (down) => {
      const outage = await proxyCloud(down, env);
      try {
        const prefix = unique('O');
        const options = { seed: 12, series: 9, records: 6_000, prefix, kind: 'meters' as const };
        const settings = readCloudSettings(outage.env);
        let latest: Awaited<ReturnType<typeof runProducer>> | undefined;
        const run = runProducer(syntheticSource(options), {
          settings,
          publisherFor: (cloud) => createPublisher(cloud, settings),
          route: 'failover',
          rate: 1_500,
          // Room for a client to reconnect after the restore: the drain starts when the source ends, mid-outage.
          drainTimeoutMs: 120_000,
          stateDir: await stateDir(),
          onProgress: (p) => {
            latest = p;
          },
          progressEveryMs: 50,
        });
        const progress = () => Promise.resolve(latest);
        await eventually(progress, (p) => (p?.perCloud[down]?.records ?? 0) > 0, {
          what: `${down} to accept records`,
        });
        await outage.cut();
        const cutAt = await eventually(progress, (p) => p?.perCloud[down]?.healthy === false, {
          what: `${down} to be marked down`,
        });
        await eventually(progress, (p) => (p?.read ?? 0) >= Math.min(5_500, cutAt!.read + 1_000), {
          what: 'records to flow to the other clouds',
        });
        await outage.restore();
        const stats = await run;
        expect(stats.delivered).toBe(true);
        expect(stats.perCloud[down]!.failures).toBeGreaterThan(0);

        const records = Array.from({ length: 6_000 }, syntheticRecords(options));
        const byCloud = await expectEachRecordInOneCloud(records);
        // Series whose home is the cloud that was down have records in another cloud: the failover happened.
        const others = ORIGINS.filter((o) => o !== down);
        const home = referenceWindows(records, WINDOWS).filter((w) => homeCloud(w.series) === down);
        expect(home.some((w) => others.some((o) => byCloud[o].has(windowId(w))))).toBe(true);
      } finally {
        await outage.close();
      }
    },
  );

  it('loses nothing when the CLI is killed with SIGKILL mid-run and started again', async () => {
    const dir = await stateDir();
    const envFile = path.join(dir, 'stack.env');
    await writeEnvFile(envFile, env);
    const prefix = unique('K');
    const args = ['--prefix', prefix, '--series', '5', '--records', '8000', '--seed', '13', '--json'];
    const common = [...args, '--env', envFile, '--state-dir', path.join(dir, 'state')];

    const first = startCli([...common, '--rate', '2000']);
    await eventually(
      () => Promise.resolve(first.lastProgress()),
      (p) => p !== undefined && sentOf(p) > 0 && p.read < 8_000,
      { what: 'the producer to send some records', timeoutMs: 60_000 },
    );
    first.child.kill('SIGKILL');
    await first.exited;

    const second = startCli(common);
    expect(await second.exited).toBe(0);
    const summary = JSON.parse(second.lines().at(-1)!);
    expect(summary.delivered).toBe(true);
    expect(summary.resumedFrom).toBeDefined();

    const records = Array.from({ length: 8_000 }, syntheticRecords({ seed: 13, series: 5, prefix }));
    await expectEachRecordInOneCloud(records);
  });
});

describe('tricloud produce --symbols (the binance source)', () => {
  it('sends live trades from a replayed stream until --records, with the trade id as seq', async () => {
    const server = await startBinanceReplayServer();
    try {
      const dir = await stateDir();
      const envFile = path.join(dir, 'stack.env');
      await writeEnvFile(envFile, env);
      const symbol = `T${Date.now().toString(36).toUpperCase()}`;
      const cli = startCli([
        '--symbols',
        symbol,
        '--stream-url',
        server.wsUrl,
        '--rest-url',
        server.restUrl,
        '--records',
        '300',
        '--json',
        '--env',
        envFile,
        '--state-dir',
        path.join(dir, 'state'),
      ]);
      const connection = await server.nextConnection(30_000);
      const trades = replayTrades(symbol, 5_000, 300);
      connection.send(...trades);
      expect(await cli.exited).toBe(0);
      const summary = JSON.parse(cli.lines().at(-1)!);
      expect(summary).toMatchObject({ read: 300, delivered: true, binance: { missing: 0 } });
      const records = trades.map((t) => ({
        series: symbol,
        seq: t.id,
        ts: t.time,
        value: Number(t.price),
        qty: Number(t.qty),
      }));
      await expectEachRecordInOneCloud(records);
    } finally {
      await server.close();
    }
  });
});

interface Progress {
  read: number;
  perCloud: Record<string, { records: number }>;
}

const sentOf = (p: Progress) => Object.values(p.perCloud).reduce((s, c) => s + c.records, 0);

/** Runs `tricloud produce` as a child process with Node 22, collecting its stdout lines. */
function startCli(args: string[]) {
  const node = path.resolve('node_modules/.bin/node');
  const child = spawn(node, ['--', 'scripts/tricloud.ts', 'produce', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, TRICLOUD_LOG_LEVEL: 'error' },
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const exited = new Promise<number>((resolve) =>
    child.on('exit', (code, signal) => {
      if (code !== 0 && signal !== 'SIGKILL') console.error(`produce exited ${code}: ${err}`);
      resolve(code ?? -1);
    }),
  );
  const lines = () => out.split('\n').filter((l) => l.trim() !== '');
  const lastProgress = (): Progress | undefined => {
    const last = lines()
      .filter((l) => l.startsWith('{"progress"'))
      .at(-1);
    return last === undefined ? undefined : (JSON.parse(last).progress as Progress);
  };
  return { child, exited, lines, lastProgress };
}
