/**
 * End to end on the built bundles (issue 7): `npm run build`'s output — not the sources — runs behind each
 * platform's local trigger host and as each cloud's sync; messages in, exact documents out, stores converged.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployables } from '../../scripts/build/deployables.ts';
import { run as build } from '../../scripts/commands/build.ts';
import { startEventHubsFunctionHost } from '../../scripts/trigger-hosts/eventhubs-function-host.ts';
import type { TriggerHost } from '../../scripts/trigger-hosts/host-loop.ts';
import { startPubSubFunctionHost } from '../../scripts/trigger-hosts/pubsub-function-host.ts';
import { startSqsLambdaHost } from '../../scripts/trigger-hosts/sqs-lambda-host.ts';
import { createSqsClient } from '../../shared/clouds/aws/clients.ts';
import { createPubSub } from '../../shared/clouds/gcp/pubsub-client.ts';
import { readCloudSettings } from '../../shared/config/environment.ts';
import { encodeMessage, ORIGINS, type Origin, parseWindows, windowId } from '../../shared/core/index.ts';
import {
  awsHarness,
  azureHarness,
  type CloudHarness,
  gcpHarness,
  useStackEnv,
} from '../helpers/cloud-harness.ts';
import { eventually } from '../helpers/eventually.ts';
import { expectExact, exportedWindows, referenceWindows, sortWindows, T0 } from '../helpers/records.ts';

const repo = path.resolve(import.meta.dirname, '..', '..');
const dist = path.join(repo, 'dist');
type Module = Record<string, (...args: never[]) => Promise<unknown>>;
const load = async (file: string) => (await import(path.join(dist, file))) as Module;

let clouds: Record<Origin, CloudHarness>;
let hosts: TriggerHost[] = [];
let bundles: Record<'awsIngest' | 'awsSync' | 'gcp' | 'azure', Module>;

beforeAll(async () => {
  expect(await build(['--json'])).toBe(0);
  bundles = {
    awsIngest: await load('aws/ingest/index.mjs'),
    awsSync: await load('aws/sync/index.mjs'),
    gcp: await load('gcp/functions/index.js'),
    azure: await load('azure/functionapp/index.js'),
  };
  clouds = { aws: awsHarness(), gcp: gcpHarness(), azure: azureHarness() };
  const settings = readCloudSettings(useStackEnv());
  const pubsub = createPubSub(settings.gcp);
  hosts = [
    startSqsLambdaHost({
      sqs: createSqsClient(settings.aws),
      queueUrl: settings.aws.queueUrl,
      handler: bundles.awsIngest.handler as never,
    }),
    startPubSubFunctionHost({
      pubsub,
      projectId: settings.gcp.projectId,
      subscription: settings.gcp.subscription,
      topic: settings.gcp.topic,
      handler: bundles.gcp.ingestPubSub as never,
    }),
    startEventHubsFunctionHost({
      connectionString: settings.azure.eventHubConnectionString,
      eventHubName: settings.azure.eventHubName,
      consumerGroup: settings.azure.consumerGroup,
      handler: bundles.azure.ingestEvents as never,
    }),
  ];
});

afterAll(async () => {
  for (const host of hosts) await host.stop();
  for (const cloud of Object.values(clouds ?? {})) await cloud.close();
});

describe('the built bundles', () => {
  it('ingest on every cloud and sync to identical, exact stores', async () => {
    const run = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
    const records = ORIGINS.flatMap((origin, k) =>
      Array.from({ length: 90 }, (_, i) => ({
        series: `bundle-${origin}-${run}`,
        seq: i,
        ts: T0 + i * 2_000 + k,
        value: 10 + ((i * 7) % 13) / 4,
        qty: (i % 3) / 2,
      })),
    );
    const windows = parseWindows('1m');
    for (const origin of ORIGINS) {
      const own = records.filter((r) => r.series.startsWith(`bundle-${origin}-`));
      const bodies = [0, 30, 60].map((i) => encodeMessage(`b${i}`, own.slice(i, i + 30)));
      await clouds[origin].send(bodies);
    }

    const reference = referenceWindows(records, windows);
    const ids = reference.map((w) => windowId(w));
    const syncs = [
      () => bundles.awsSync.handler!({} as never),
      () => bundles.gcp.syncTick!({ id: 'tick' } as never),
      () => bundles.azure.syncTimer!({} as never, { invocationId: 'tick' } as never),
    ];
    // The schedules, run by hand until every store holds every window of the three clouds.
    const converged = await eventually(
      async () => {
        for (const sync of syncs) await sync();
        return Promise.all(
          ORIGINS.map(async (o) => sortWindows(exportedWindows((await clouds[o].store.read(ids)).values()))),
        );
      },
      (exports) =>
        exports.every(
          (e) => e.length === reference.length && e.every((w, i) => w.count === reference[i]?.count),
        ),
      { what: 'the three stores to converge through the bundled syncs', timeoutMs: 150_000, intervalMs: 500 },
    );
    for (const exported of converged) {
      expect(exported).toEqual(converged[0]);
      expectExact(exported, reference);
    }
    for (const host of hosts) expect(host.stats.invocations).toBeGreaterThan(0);
  }, 180_000);

  it('each bundle serves its first call from a folder with no node_modules above it', async () => {
    const env = useStackEnv();
    const root = await mkdtemp(path.join(os.tmpdir(), 'tricloud-bundles-'));
    try {
      for (let dir = root; dir !== path.dirname(dir); dir = path.dirname(dir))
        expect(existsSync(path.join(dir, 'node_modules')), `${dir}/node_modules`).toBe(false);
      for (const d of deployables) {
        const dir = path.join(root, d.name);
        await cp(path.join(dist, d.outDir), dir, { recursive: true });
        // Only what the package's own package.json asks the platform to install (the Cloud Functions framework).
        const manifest = existsSync(path.join(dir, 'package.json'))
          ? (JSON.parse(await readFile(path.join(dir, 'package.json'), 'utf8')) as { dependencies?: object })
          : {};
        for (const dep of Object.keys(manifest.dependencies ?? {})) {
          await mkdir(path.dirname(path.join(dir, 'node_modules', dep)), { recursive: true });
          await symlink(path.join(repo, 'node_modules', dep), path.join(dir, 'node_modules', dep));
        }
        const out = await probe(path.join(dir, d.outFile), d.name, env);
        // Made at build time in dist/, taken here: V8's cache does not depend on where the package lies.
        expect(out.codeCache, d.name).toBe('accepted');
        if (d.name === 'aws-ingest') expect(out.result, d.name).toEqual({ batchItemFailures: [] });
        else if (d.name === 'aws-read') {
          // The read function answers from DynamoDB's windows index: 200 and a JSON page (empty for this series).
          expect(out.result, d.name).toMatchObject({ statusCode: 200 });
          expect(JSON.parse((out.result as { body: string }).body)).toEqual({ cloud: 'aws', windows: [] });
        } else expect(out, d.name).toHaveProperty('total');
      }
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  }, 120_000);

  it("takes its code cache under the platforms' heap flags, and runs the same without it", async () => {
    const env = useStackEnv();
    const d = deployables.find((x) => x.name === 'aws-ingest')!;
    const root = await mkdtemp(path.join(os.tmpdir(), 'tricloud-code-cache-'));
    try {
      await cp(path.join(dist, d.outDir), root, { recursive: true });
      const entry = path.join(root, d.outFile);
      // Lambda's bootstrap for a 512 MB function: they change V8's flag hash, not its bytecode.
      const lambda = ['--expose-gc', '--max-http-header-size', '81920', '--max-semi-space-size=25'];
      expect(await probe(entry, d.name, env, [...lambda, '--max-old-space-size=461'])).toMatchObject({
        codeCache: 'accepted',
        result: { batchItemFailures: [] },
      });
      // Any other V8 flag: V8 refuses the cache and compiles the bundle from its source.
      const refused = await probe(entry, d.name, env, ['--stack-trace-limit=11']);
      expect(refused).toMatchObject({ codeCache: 'rejected', result: { batchItemFailures: [] } });
      // Slower, and said where an operator looks: the function's log.
      expect(refused.stderr).toContain('TRICLOUD_CODE_CACHE_REFUSED');
      for (const f of await readdir(root)) if (f.endsWith('.cache')) await rm(path.join(root, f));
      expect(await probe(entry, d.name, env)).toMatchObject({
        codeCache: 'absent',
        result: { batchItemFailures: [] },
      });
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  }, 60_000);

  it("sets the platforms' heap flags back to V8's defaults, and the heap keeps its limits and gc()", async () => {
    const loader = path.join(dist, 'aws', 'ingest', 'load-app.mjs');
    const root = await mkdtemp(path.join(os.tmpdir(), 'tricloud-heap-flags-'));
    try {
      // Loads the loader, reports, then allocates until the heap is full: it must fail at the limit it was given.
      const child = path.join(root, 'fill-heap.mjs');
      await writeFile(
        child,
        [
          `const { heapFlags } = await import(${JSON.stringify(pathToFileURL(loader).href)});`,
          "const streams = process.moduleLoadList.includes('NativeModule stream');",
          "const { Script } = process.getBuiltinModule('node:vm');",
          "const flagHash = new Script('0').createCachedData().subarray(12, 16).toString('hex');",
          "const limitMiB = process.getBuiltinModule('node:v8').getHeapStatistics().heap_size_limit / 2 ** 20;",
          'console.log(JSON.stringify({ heapFlags, flagHash, gc: typeof gc, limitMiB, streams }));',
          'if (process.argv[2] === "fill") { const kept = []; for (;;) kept.push(new Array(1e5).fill(1.5)); }',
        ].join('\n'),
      );
      const run = async (nodeArgs: string[], fill: boolean) => {
        const result = await promisify(execFile)(process.execPath, [...nodeArgs, child, fill ? 'fill' : ''], {
          encoding: 'utf8',
        }).catch((e: { stdout: string; stderr: string; code: number }) => e);
        const report = JSON.parse(result.stdout.trim().split('\n')[0] ?? '{}') as {
          heapFlags: string;
          flagHash: string;
          gc: string;
          limitMiB: number;
          streams: boolean;
        };
        return { ...report, stderr: result.stderr, failed: 'code' in result && result.code !== 0 };
      };
      const plain = await run([], false);
      expect(plain).toMatchObject({ heapFlags: 'none', gc: 'undefined', failed: false });
      // Lambda's flags for a 64 MB heap: reset, so V8's flag hash (what its code caches are checked against, Node's
      // own included) is a flagless process's; but the heap V8 sized at start keeps its limit, and gc() stays.
      const lambda = ['--expose-gc', '--max-http-header-size', '81920', '--max-semi-space-size=4'];
      const small = await run([...lambda, '--max-old-space-size=64'], true);
      expect(small).toMatchObject({
        heapFlags: 'reset',
        flagHash: plain.flagHash,
        gc: 'function',
        failed: true,
      });
      expect(small.limitMiB).toBeLessThan(100);
      expect(small.stderr).toContain('heap out of memory');
      // Reset without `node:v8`, which would load Node's streams before the reset, and without a warning in the log.
      const quiet = await run(lambda, false);
      expect(quiet).toMatchObject({ heapFlags: 'reset', streams: false, failed: false });
      expect(quiet.stderr).toBe('');
      // Another V8 flag: nothing is reset, and V8 decides about each cache as it would.
      const other = await run(['--max-old-space-size=64', '--stack-trace-limit=11'], false);
      expect(other).toMatchObject({ heapFlags: 'kept', gc: 'undefined', failed: false });
      expect(other.flagHash).not.toBe(plain.flagHash);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  }, 60_000);
});

/** The bench's cold-load probe: loads a bundle in a fresh Node, then one invocation against the local stack. */
async function probe(
  entry: string,
  deployable: string,
  env: Record<string, string>,
  nodeArgs: string[] = [],
) {
  const { stdout, stderr } = await promisify(execFile)(
    process.execPath,
    [...nodeArgs, path.join(repo, 'scripts', 'bench', 'cold-load-probe.mjs'), entry, deployable],
    { env: { ...process.env, ...env }, encoding: 'utf8' },
  );
  const out = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as { result?: unknown; codeCache?: string };
  return { ...out, stderr };
}
