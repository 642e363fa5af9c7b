/**
 * `tricloud dead-letters` on the local stack, per cloud, run as the CLI (`--env FILE`), against letters and
 * messages the ingest function really produced through each transport's local server and trigger host:
 *
 * - bad input (invalid rows, an unreadable message) becomes store letters: `list` counts them by rule and
 *   `--json` parses, `show` finds one (and an unknown id exits 3), `export` writes NDJSON that `tricloud produce
 *   --file` takes once corrected — and the corrected records reach the store;
 * - messages the store refuses for good (a store that refuses one series, as a missing table would) exhaust their
 *   deliveries: into the SQS dead-letter queue, the Pub/Sub dead-letter subscription, or (Azure) the container as
 *   undeliverable letters. `list` shows them, labelled apart, and a second `list` still does (it does not
 *   consume); `redrive --dry-run` moves nothing; with the store fixed, `redrive` brings them back and the windows
 *   equal the reference; the same messages dead-lettered and redriven again leave the windows equal to the
 *   reference exactly once.
 *
 * One trigger host per cloud runs for the whole file (Event Hubs hosts start from the earliest event, so a second
 * host would re-read what the first took), its function built from the real ingest runtime over the real stores;
 * only the refusal is switched on and off. Other files' letters may share the stores, so assertions look at this
 * run's ids and series.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Database } from '@azure/cosmos';
import type { CloudEvent } from '@google-cloud/functions-framework';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventHubsIngest } from '../../functions/azure/ingest.ts';
import type { PubSubMessagePublished } from '../../functions/gcp/ingest.ts';
import { ingestRuntime } from '../../functions/ingest-runtime.ts';
import {
  type CloudDeadLetters,
  openCloudDeadLetters,
} from '../../scripts/dead-letters/cloud-dead-letters.ts';
import type { Letter } from '../../scripts/dead-letters/letter.ts';
import { PEEK_CAP } from '../../scripts/dead-letters/transport-dead-letters.ts';
import { cosmosPartitionKeyPath } from '../../scripts/local-stack/provision-azure.ts';
import { startEventHubsFunctionHost } from '../../scripts/trigger-hosts/eventhubs-function-host.ts';
import type { TriggerHost } from '../../scripts/trigger-hosts/host-loop.ts';
import { startPubSubFunctionHost } from '../../scripts/trigger-hosts/pubsub-function-host.ts';
import { startSqsLambdaHost } from '../../scripts/trigger-hosts/sqs-lambda-host.ts';
import { createAwsStores } from '../../shared/clouds/aws/aws-stores.ts';
import { createSqsClient } from '../../shared/clouds/aws/clients.ts';
import { createAzureStores } from '../../shared/clouds/azure/azure-stores.ts';
import { createCosmosClient } from '../../shared/clouds/azure/clients.ts';
import { createGcpStores } from '../../shared/clouds/gcp/gcp-stores.ts';
import { createPubSub } from '../../shared/clouds/gcp/pubsub-client.ts';
import { writeEnvFile } from '../../shared/config/env-file.ts';
import {
  envNames,
  readAwsSettings,
  readAzureSettings,
  readAzureStoreSettings,
  readGcpSettings,
  readPipelineSettings,
} from '../../shared/config/environment.ts';
import {
  type AggregateStore,
  type DataRecord,
  type DeadLetterSink,
  type ExportedWindow,
  encodeMessage,
  exportWindow,
  type Origin,
  PermanentStoreError,
  type WindowSpec,
} from '../../shared/core/index.ts';
import { runTricloud } from '../helpers/cli.ts';
import { useStackEnv } from '../helpers/cloud-harness.ts';
import { eventually } from '../helpers/eventually.ts';
import { type RawTransport, rawTransport } from '../helpers/raw-transports.ts';
import { expectExact, referenceWindows, sortWindows } from '../helpers/records.ts';

const tag = `dl${Date.now().toString(36)}${Math.random().toString(36).slice(2, 5)}`;
// Two hours ago, on a whole hour: windows no other file writes, under any lateness limit.
const base = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 2 * 3_600_000;
const runStart = Date.now();
const QTY_RULE = 'qty must be a finite number from 0 to 1e125';
const SERIES_RULE = 'series must be 1-128 characters of A-Z a-z 0-9 . _ : -';

interface Cloud {
  origin: Origin;
  host: TriggerHost;
  raw: RawTransport;
  store: AggregateStore;
  /** The dead letters as the command reads them, for polling between its runs. */
  letters: CloudDeadLetters;
  /** While true the store refuses, for good, every write of the series {@link refusedSeries}. */
  refusing: { on: boolean };
  /** Messages of the refused series the function stored: how a test knows a redrive was ingested. */
  storedRefused: { count: number };
  close(): Promise<void>;
}

let env: Record<string, string>;
let envFile: string;
let scratch: string;
let windows: WindowSpec[];
const clouds = new Map<Origin, Cloud>();

/**
 * Azure's letters go to a container of this file's own: the local Cosmos server answers a query in time that grows
 * with the container (25–30 s for the 20,000 letters dead-letter-sinks.test.ts leaves in the shared one), and
 * listing and redriving Azure's letters query it.
 */
const lettersContainer = `deadLetters-${tag}`;

beforeAll(async () => {
  env = { ...useStackEnv(), [envNames.azure.deadLettersContainer]: lettersContainer };
  await withCosmos((database) =>
    database.containers.createIfNotExists({
      id: lettersContainer,
      partitionKey: { paths: [cosmosPartitionKeyPath] },
    }),
  );
  windows = readPipelineSettings(process.env).windows;
  scratch = await mkdtemp(path.join(tmpdir(), 'tricloud-dead-letters-'));
  envFile = path.join(scratch, 'stack.env');
  await writeEnvFile(envFile, env);
  for (const origin of ['aws', 'gcp', 'azure'] as const) clouds.set(origin, await openCloud(origin));
}, 120_000);

afterAll(async () => {
  for (const cloud of clouds.values()) await cloud.close();
  await withCosmos((database) => database.container(lettersContainer).delete()).catch(() => {});
});

async function withCosmos<T>(work: (database: Database) => Promise<T>): Promise<T> {
  const settings = readAzureStoreSettings(env);
  const client = createCosmosClient(settings);
  try {
    return await work(client.database(settings.cosmosDatabase));
  } finally {
    client.dispose();
  }
}

describe.each(['aws', 'gcp', 'azure'] as const)('tricloud dead-letters on %s', (origin) => {
  const badSeries = `${tag}-${origin}-bad`;
  let since: number;
  let badIds: { message: string; unreadable: string };

  beforeAll(async () => {
    const cloud = clouds.get(origin)!;
    since = Date.now();
    const body = `{"v":1,"b":"${tag}-b","r":[${JSON.stringify(row(badSeries, 1))},["${badSeries}",2,${base + 2_000},10,-1],["BTC/USD",3,${base + 3_000},10,1],${JSON.stringify(row(badSeries, 4))}]}`;
    const [message, unreadable] = await cloud.raw.send([body, `not json ${tag}`]);
    if (!message?.ok || !unreadable?.ok)
      throw new Error(`sending failed: ${JSON.stringify([message, unreadable])}`);
    badIds = { message: message.id, unreadable: unreadable.id };
    await eventually(
      async () =>
        Promise.all(
          [`${message.id}#1`, `${message.id}#2`, unreadable.id].map((id) => cloud.letters.store.read(id)),
        ),
      (found) => found.every((l) => l !== undefined),
      { what: `${origin}'s letters of the bad input`, timeoutMs: 60_000 },
    );
  }, 120_000);

  it('lists the letters by rule, then each letter; --json parses; --reason filters', async () => {
    const listed = await json([
      'list',
      '--cloud',
      origin,
      '--since',
      String(since),
      '--limit',
      '1000',
      '--json',
    ]);
    const byReason = new Map(
      listed.store.byReason.map((g: { reason: string; count: number }) => [g.reason, g.count]),
    );
    for (const rule of [QTY_RULE, SERIES_RULE, 'the message body is not valid JSON']) {
      expect(byReason.get(rule), rule).toBeGreaterThanOrEqual(1);
    }
    const mine = (listed.store.letters as Letter[]).filter((l) => l.messageId === badIds.message);
    expect(mine.map((l) => [l.id, l.kind, l.row])).toEqual(
      expect.arrayContaining([
        [`${badIds.message}#1`, 'record', 1],
        [`${badIds.message}#2`, 'record', 2],
      ]),
    );
    const text = await dl(['list', '--cloud', origin, '--since', String(since), '--reason', 'QTY MUST']);
    expect(text.code, text.err).toBe(0);
    expect(text.out).toContain(`dead-lettered by the ingest function — `);
    expect(text.out).toContain(`${badIds.message}#1  (invalid record)`);
    expect(text.out).not.toContain(`${badIds.message}#2`);
  }, 60_000);

  it('shows one letter whole, searching every cloud without --cloud; an unknown id exits 3', async () => {
    const shown = await dl(['show', `${badIds.message}#1`]);
    expect(shown.code, shown.err).toBe(0);
    expect(shown.out).toContain(`${QTY_RULE}, got -1`);
    expect(shown.out).toContain(`\n["${badSeries}",2,${base + 2_000},10,-1]\n`);
    expect(shown.out).toMatch(/attempts +1: /);
    const unreadable = await json(['show', badIds.unreadable, '--cloud', origin, '--json']);
    expect(unreadable).toMatchObject({ kind: 'message', payload: `not json ${tag}`, cloud: origin });
    const unknown = await dl(['show', `${tag}-no-such-letter`, '--cloud', origin]);
    expect(unknown.code).toBe(3);
    expect(unknown.err).toContain(`No dead letter has the id '${tag}-no-such-letter'`);
  }, 60_000);

  it('exports the records as NDJSON that tricloud produce --file takes once corrected', async () => {
    const out = path.join(scratch, `${origin}-letters.ndjson`);
    const exported = await dl(['export', '--cloud', origin, '--since', String(since), '--out', out]);
    expect(exported.code, exported.err).toBe(0);
    expect(exported.err).toContain(`letters hold no record to export:\n`);
    const lines = (await readFile(out, 'utf8')).trim().split('\n');
    const mine = lines.filter((l) => JSON.parse(l).deadLetter.id.startsWith(`${badIds.message}#`));
    expect(mine.map((l) => JSON.parse(l).deadLetter.id).sort()).toEqual([
      `${badIds.message}#1`,
      `${badIds.message}#2`,
    ]);
    // The person's correction: a quantity that cannot be negative, a series name with a slash.
    const fixed = path.join(scratch, `${origin}-fixed.ndjson`);
    await writeFile(
      fixed,
      `${mine.map((l) => l.replace('"qty":-1', '"qty":1').replace('"BTC/USD"', `"${badSeries}"`)).join('\n')}\n`,
    );
    const produced = await cli([
      'produce',
      '--source',
      'file',
      '--file',
      fixed,
      '--to',
      origin,
      '--json',
      '--env',
      envFile,
      '--state-dir',
      path.join(scratch, `${origin}-produce`),
      '--rejects',
      path.join(scratch, `${origin}-rejects`),
    ]);
    expect(produced.code, produced.err).toBe(0);
    const summary = JSON.parse(produced.out.trim().split('\n').at(-1)!);
    expect(summary).toMatchObject({ read: 2, rejected: 0, delivered: true });
    // The valid rows of the message, and the two corrected ones, are the series' windows.
    const expected = [
      row(badSeries, 1),
      row(badSeries, 4),
      [badSeries, 2, base + 2_000, 10, 1],
      [badSeries, 3, base + 3_000, 10, 1],
    ];
    await expectWindows(origin, badSeries, expected.map(recordOf));
  }, 120_000);

  it('lists what exhausted its deliveries without consuming it, and redrives it; twice counts nothing twice', async () => {
    const cloud = clouds.get(origin)!;
    const series = refusedSeries(origin);
    const records = Array.from({ length: 30 }, (_, i) => recordOf(row(series, i + 1)));
    const bodies = [0, 1, 2].map((m) => encodeMessage(`${tag}-r${m}`, records.slice(m * 10, m * 10 + 10)));
    // Other files leave letters too (20,000 in each store, from dead-letter-sinks): this run's are the newer.
    const since = String(Date.now());

    await deadLetterThroughRefusal(cloud, bodies);
    const listing = ['list', '--cloud', origin, '--since', since, '--limit', '1000', '--json'];
    const first = await json(listing);
    const again = await json(listing);
    for (const listed of [first, again])
      expect(payloadsOf(origin, listed)).toEqual(expect.arrayContaining(bodies));
    if (origin !== 'azure') {
      const letter = (first.transport.letters as Letter[]).find((l) => l.payload === bodies[0])!;
      expect(letter).toMatchObject({ source: 'transport', kind: 'exhausted', attempts: { count: 5 } });
      const shown = await dl(['show', letter.id]);
      expect(shown.code, shown.err).toBe(0);
      expect(shown.out).toContain(bodies[0]);
    }
    const dry = await json(['redrive', '--cloud', origin, '--since', since, '--dry-run', '--json']);
    expect(dry).toMatchObject({ dryRun: true });
    expect(dry.moved).toBeGreaterThanOrEqual(bodies.length);
    expect(await deadLettered(cloud)).toEqual(expect.arrayContaining(bodies));

    // AWS: a move task the first time (the whole queue), receive/send/delete with --since the second.
    await redriveFixed(cloud, bodies, origin === 'aws' ? undefined : since);
    await expectWindows(origin, series, records);
    // The same messages dead-lettered again and redriven again: ingest has every (series, seq) already.
    await deadLetterThroughRefusal(cloud, bodies);
    await redriveFixed(cloud, bodies, since);
    await expectWindows(origin, series, records);
  }, 240_000);
});

function row(series: string, seq: number): [string, number, number, number, number] {
  return [series, seq, base + seq * 1_000, 100 + (seq % 7), 1];
}

function recordOf([series, seq, ts, value, qty]: (string | number)[]): DataRecord {
  return { series: String(series), seq: Number(seq), ts: Number(ts), value: Number(value), qty: Number(qty) };
}

function refusedSeries(origin: Origin): string {
  return `${tag}-${origin}-refused`;
}

/** Sends `bodies` while the store refuses their series, until each sits in the cloud's dead-letter place. */
async function deadLetterThroughRefusal(cloud: Cloud, bodies: string[]): Promise<void> {
  cloud.refusing.on = true;
  const sent = await cloud.raw.send(bodies);
  expect(sent.every((s) => s.ok)).toBe(true);
  await eventually(
    () => deadLettered(cloud),
    (payloads) => bodies.every((b) => payloads.includes(b)),
    { what: `${cloud.origin}'s messages to exhaust their deliveries`, timeoutMs: 90_000, intervalMs: 500 },
  );
}

/**
 * Fixes the store, runs `redrive` (of what was dead-lettered since `since`, when given), and waits until the
 * function has stored every redriven message.
 */
async function redriveFixed(cloud: Cloud, bodies: string[], since?: string): Promise<void> {
  cloud.refusing.on = false;
  const storedBefore = cloud.storedRefused.count;
  const report = await json([
    'redrive',
    '--cloud',
    cloud.origin,
    ...(since ? ['--since', since] : []),
    '--json',
  ]);
  expect(report).toMatchObject({ dryRun: false });
  expect(report.moved).toBeGreaterThanOrEqual(bodies.length);
  if (cloud.origin === 'aws') {
    expect(report.method).toBe(since ? 'receive, send, delete' : 'StartMessageMoveTask');
  }
  await eventually(
    async () => ({ stored: cloud.storedRefused.count - storedBefore, left: await deadLettered(cloud) }),
    ({ stored, left }) => stored >= bodies.length && !bodies.some((b) => left.includes(b)),
    { what: `${cloud.origin}'s redriven messages to be stored`, timeoutMs: 60_000, intervalMs: 500 },
  );
}

/**
 * The payloads in the cloud's dead-letter place for what exhausted its deliveries, read as the command reads (on
 * Azure, the letters of this file's run only: the container holds other files' thousands).
 */
async function deadLettered(cloud: Cloud): Promise<string[]> {
  const payloads: string[] = [];
  if ('none' in cloud.letters.transport) {
    for await (const l of cloud.letters.store.list(runStart))
      if (l.kind === 'undeliverable') payloads.push(l.payload);
  } else {
    for await (const l of cloud.letters.transport.peek(PEEK_CAP)) payloads.push(l.payload);
  }
  return payloads;
}

function payloadsOf(
  origin: Origin,
  listed: { store: { letters: Letter[] }; transport: { letters?: Letter[] } },
) {
  const letters =
    origin === 'azure'
      ? listed.store.letters.filter((l) => l.kind === 'undeliverable')
      : (listed.transport.letters ?? []);
  return letters.map((l) => l.payload);
}

async function expectWindows(origin: Origin, series: string, records: DataRecord[]): Promise<void> {
  const reference = referenceWindows(records, windows);
  const stored = await eventually(
    () => storedWindows(clouds.get(origin)!.store, series),
    (w) => w.length === reference.length && w.every((x, i) => x.count === reference[i]!.count),
    { what: `${origin}'s windows of ${series}`, timeoutMs: 60_000 },
  );
  expectExact(stored, reference);
}

async function storedWindows(store: AggregateStore, series: string): Promise<ExportedWindow[]> {
  const out: ExportedWindow[] = [];
  for (const w of windows) {
    const page = await store.windows(
      { series, window: w.name, from: base - 86_400_000, to: base + 86_400_000 },
      1_000,
    );
    out.push(...page.windows.map(exportWindow));
  }
  return sortWindows(out);
}

/**
 * A cloud's transport, stores and trigger host. Its function is the real ingest runtime over the real stores,
 * except that while `refusing.on` the store refuses, for good, to write the refused series — as a missing table
 * or container would — so those messages take the cloud's dead-letter path.
 */
async function openCloud(origin: Origin): Promise<Cloud> {
  const stores =
    origin === 'aws'
      ? createAwsStores(readAwsSettings(env))
      : origin === 'gcp'
        ? createGcpStores(readGcpSettings(env))
        : createAzureStores(readAzureSettings(env));
  const refusing = { on: false };
  const storedRefused = { count: 0 };
  const ports = () => ({
    store: refusingStore(stores.store, refusedSeries(origin), refusing),
    deadLetters: stores.deadLetters as DeadLetterSink,
  });
  const ingest = ingestRuntime(
    origin,
    ports,
    origin === 'azure' ? { onPermanentFailure: 'dead-letter' } : {},
  );
  const counted: Ingest = async (messages, correlation) => {
    const result = await ingest(messages, correlation);
    const failed = new Set(result.failedMessageIds);
    const refusedSeriesName = refusedSeries(origin);
    for (const m of messages) {
      const text = typeof m.body === 'string' ? m.body : Buffer.from(m.body).toString('utf8');
      if (!failed.has(m.id) && !refusing.on && text.includes(refusedSeriesName)) storedRefused.count++;
    }
    return result;
  };
  const letters = await openCloudDeadLetters(origin, env);
  const host = await startHost(origin, counted);
  const raw = rawTransport(origin, env);
  return {
    origin,
    host,
    raw,
    store: stores.store,
    letters,
    refusing,
    storedRefused,
    async close() {
      await host.stop();
      await raw.close();
      await letters.close();
      await stores.close();
    },
  };
}

type Ingest = ReturnType<typeof ingestRuntime>;

/** The cloud's trigger host delivering to `ingest` as the deployed entry point does. */
async function startHost(origin: Origin, ingest: Ingest): Promise<TriggerHost> {
  if (origin === 'aws') {
    const settings = readAwsSettings(env);
    return startSqsLambdaHost({
      sqs: createSqsClient(settings),
      queueUrl: settings.queueUrl,
      // The handler of functions/aws/ingest.ts, over this runtime.
      handler: async (event: SQSEvent): Promise<SQSBatchResponse> => {
        const { failedMessageIds } = await ingest(
          event.Records.map((r) => ({ id: r.messageId, body: r.body })),
        );
        return { batchItemFailures: failedMessageIds.map((itemIdentifier) => ({ itemIdentifier })) };
      },
      batchSize: 10,
      // A failed message comes back after a second: five receives, then the dead-letter queue, within seconds.
      visibilityTimeoutSeconds: 1,
    });
  }
  if (origin === 'gcp') {
    const settings = readGcpSettings(env);
    return startPubSubFunctionHost({
      pubsub: createPubSub(settings),
      projectId: settings.projectId,
      subscription: settings.subscription,
      topic: settings.topic,
      // The handler of functions/gcp/ingest.ts, over this runtime: a failure throws, so Pub/Sub redelivers.
      handler: async (event: CloudEvent<PubSubMessagePublished>) => {
        const message = event.data!.message;
        const body = Buffer.from(message.data ?? '', 'base64');
        const { failedMessageIds } = await ingest([{ id: message.messageId, body }]);
        if (failedMessageIds.length > 0) throw new Error(`message ${message.messageId} was not stored`);
      },
    });
  }
  const settings = readAzureSettings(env);
  return startEventHubsFunctionHost({
    connectionString: settings.eventHubConnectionString,
    eventHubName: settings.eventHubName,
    consumerGroup: settings.consumerGroup,
    handler: eventHubsIngest(ingest),
  });
}

/**
 * The store, refusing for good to read or write documents of `series` while `refusing.on`, as a missing table
 * would: reads too, so a message whose records are already stored fails as well (ingest writes nothing for it).
 */
function refusingStore(store: AggregateStore, series: string, refusing: { on: boolean }): AggregateStore {
  const refusal = () =>
    new PermanentStoreError('missing', `the test's store refuses ${series}, as a missing table would`);
  return {
    async read(ids) {
      if (refusing.on && ids.some((id) => id.startsWith(`${series}|`))) throw refusal();
      return store.read(ids);
    },
    async write(doc, expected) {
      if (refusing.on && doc.series === series) throw refusal();
      return store.write(doc, expected);
    },
    changes: (since, limit) => store.changes(since, limit),
    windows: (range, limit) => store.windows(range, limit),
    readWatermark: (source) => store.readWatermark(source),
    writeWatermark: (source, watermark) => store.writeWatermark(source, watermark),
  };
}

function cli(args: string[]) {
  return runTricloud(args, { ...process.env, TRICLOUD_LOG_LEVEL: 'error' });
}

function dl(args: string[]) {
  return cli(['dead-letters', ...args, '--env', envFile]);
}

/** Runs a `--json` subcommand that must succeed, and parses its one line. */
async function json(args: string[]) {
  const { code, out, err } = await dl(args);
  expect(code, err).toBe(0);
  return JSON.parse(out);
}
