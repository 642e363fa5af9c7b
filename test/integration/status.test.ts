/**
 * `tricloud status` on the local stack: records (bad ones among them) ingested into each cloud's real stores, a
 * conflict, a sync into GCP; then the status with every cloud up, and with AWS cut by the outage proxy and Cosmos DB
 * silent — each reported unreachable with its reason, within the deadline, while GCP is reported in full: dead
 * letters by rule, documents, its sync watermarks. Integration files run one at a time, so between two looks at the
 * stores only this file writes, and the counts are compared as exact differences.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Checkpoint, CheckpointStore } from '@azure/event-hubs';
import { v1 } from '@google-cloud/pubsub';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CloudOutage, proxyCloud } from '../../scripts/local-stack/outage-proxy.ts';
import { startSilentEndpoint } from '../../scripts/local-stack/silent-endpoint.ts';
import { openStatus } from '../../scripts/status/status-gatherer.ts';
import type { CloudStatus, StatusModel } from '../../scripts/status/status-model.ts';
import { createAwsStores } from '../../shared/clouds/aws/aws-stores.ts';
import { createAzureStores } from '../../shared/clouds/azure/azure-stores.ts';
import { createGcpStores } from '../../shared/clouds/gcp/gcp-stores.ts';
import { createPubSub } from '../../shared/clouds/gcp/pubsub-client.ts';
import { systemClock } from '../../shared/clouds/system-clock.ts';
import { writeEnvFile } from '../../shared/config/env-file.ts';
import {
  envNames,
  readAwsStoreSettings,
  readAzureStoreSettings,
  readGcpSettings,
  readGcpStoreSettings,
} from '../../shared/config/environment.ts';
import {
  createIngest,
  type DataRecord,
  encodeMessage,
  ORIGINS,
  type Origin,
  parseWindows,
  syncInto,
} from '../../shared/core/index.ts';
import { runTricloud as tricloud } from '../helpers/cli.ts';
import { useStackEnv } from '../helpers/cloud-harness.ts';

const WINDOWS = parseWindows('1m');
const series = `status-${Date.now().toString(36)}`;
const RULE = 'seq must be an integer from 0 to 2^53 − 1';
// Three hours ago, on a whole hour: three one-minute windows, one per cloud.
const base = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 3 * 3_600_000;
const record = (seq: number, value = 100 + (seq % 7)): DataRecord => ({
  series,
  seq,
  ts: base + seq * 1_000,
  value,
  qty: 1,
});

let env: Record<string, string>;
let before: StatusModel;
let after: StatusModel;
let startedAt: number;
const stores = {} as Record<Origin, ReturnType<typeof storesOf>>;

function storesOf(cloud: Origin) {
  if (cloud === 'aws') return createAwsStores(readAwsStoreSettings(env));
  if (cloud === 'gcp') return createGcpStores(readGcpStoreSettings(env));
  return createAzureStores(readAzureStoreSettings(env));
}

/** One message per cloud: its minute of valid records and three rows whose seq is not an integer. */
async function ingestInto(cloud: Origin, index: number): Promise<void> {
  const { store, deadLetters } = stores[cloud];
  const ingest = createIngest(
    { store, deadLetters, clock: systemClock },
    { origin: cloud, windows: WINDOWS },
  );
  const valid = Array.from({ length: 60 }, (_, i) => record(index * 60 + i));
  const bad = [0.5, 1.5, 2.5].map((seq) => record(index * 60 + seq));
  const result = await ingest([
    { id: `${series}-${cloud}`, body: encodeMessage(series, [...valid, ...bad]) },
  ]);
  expect(result.failedMessageIds).toEqual([]);
  expect(result.report.invalid).toBe(3);
}

/** The same record id with different values on AWS and GCP: a conflict once GCP pulls AWS. */
async function conflict(): Promise<void> {
  for (const [cloud, value] of [
    ['aws', 1],
    ['gcp', 2],
  ] as const) {
    const { store, deadLetters } = stores[cloud];
    const ingest = createIngest(
      { store, deadLetters, clock: systemClock },
      { origin: cloud, windows: WINDOWS },
    );
    const row = { ...record(7, value), series: `${series}-x` };
    await ingest([{ id: `${series}-x-${cloud}`, body: encodeMessage(`${series}-x`, [row]) }]);
  }
}

async function gather(over: Record<string, string> = {}, deadlineMs = 10_000): Promise<StatusModel> {
  const source = openStatus({ ...env, ...over }, { deadlineMs });
  try {
    return await source.gather();
  } finally {
    // A client of a silent endpoint may never close; the test does not wait on it.
    void source.close();
  }
}

async function syncIntoGcp(): Promise<void> {
  const report = await syncInto({
    target: stores.gcp.store,
    sources: [
      { origin: 'aws', store: stores.aws.store },
      { origin: 'azure', store: stores.azure.store },
    ],
    clock: systemClock,
  });
  expect(report.sources.map((s) => s.error)).toEqual([undefined, undefined]);
  expect(report.sources.map((s) => s.complete)).toEqual([true, true]);
}

beforeAll(async () => {
  env = useStackEnv();
  for (const cloud of ORIGINS) stores[cloud] = storesOf(cloud);
  // GCP catches up first with what earlier files left in the other stores, so the sync below brings only this
  // file's documents and the counts can be compared as exact differences.
  await syncIntoGcp();
  before = await gather();
  startedAt = Date.now();
  await Promise.all(ORIGINS.map((cloud, i) => ingestInto(cloud, i)));
  await conflict();
  await syncIntoGcp();
  after = await gather();
});

afterAll(async () => {
  for (const cloud of ORIGINS) await stores[cloud]?.close();
});

const ruleCount = (c: CloudStatus) => c.deadLetters?.byReason.find((r) => r.reason === RULE)?.count ?? 0;

describe('tricloud status with every cloud up', () => {
  it('finds every cloud reachable, on local servers', () => {
    for (const cloud of ORIGINS) {
      expect(after.clouds[cloud].problems, cloud).toEqual([]);
      expect(after.clouds[cloud]).toMatchObject({ reachable: true, local: true });
    }
  });

  it('counts the bad rows of this run as dead letters by their rule, on every cloud, in the last hour', () => {
    for (const cloud of ORIGINS) {
      const [was, now] = [before.clouds[cloud], after.clouds[cloud]];
      expect(now.deadLetters?.complete, cloud).toBe(true);
      expect(ruleCount(now) - ruleCount(was), cloud).toBe(3);
      expect(now.deadLetters!.total - was.deadLetters!.total, cloud).toBe(3);
      expect(now.failures.deadLettersLastHour, cloud).toBeGreaterThanOrEqual(3);
    }
  });

  it("counts each store's new windows and slices, and GCP's conflict once it pulled AWS", () => {
    const delta = (cloud: Origin, key: 'windows' | 'slices' | 'inexact' | 'conflicts') =>
      after.clouds[cloud].documents![key] - before.clouds[cloud].documents![key];
    // AWS: its minute and the conflict series' window; GCP: all three minutes and that window; Azure: its minute.
    expect(ORIGINS.map((c) => delta(c, 'windows'))).toEqual([2, 4, 1]);
    expect(ORIGINS.map((c) => delta(c, 'slices'))).toEqual([2, 4, 1]);
    expect(ORIGINS.map((c) => delta(c, 'conflicts'))).toEqual([0, 1, 0]);
    expect(ORIGINS.map((c) => delta(c, 'inexact'))).toEqual([0, 1, 0]);
    const span = after.clouds.gcp.documents!.series.find((s) => s.series === series);
    expect(span).toEqual({ series, window: '1m', first: base, last: base + 120_000 });
  });

  it("shows GCP's watermarks from this run's sync, caught up, and the transports' counts", () => {
    for (const source of ['aws', 'azure'] as const) {
      const line = after.clouds.gcp.sync.find((s) => s.source === source)!;
      expect(line.watermarkAt, source).toBeGreaterThanOrEqual(startedAt);
      expect(line).toMatchObject({ pending: 0, lagMs: 0, retrying: 0 });
    }
    expect(after.clouds.aws.transport).toMatchObject({ kind: 'SQS' });
    expect(typeof after.clouds.aws.transport?.backlog).toBe('number');
    expect(typeof after.clouds.aws.transport?.deadLetterDepth).toBe('number');
    expect(after.clouds.azure.transport?.partitions?.length).toBeGreaterThan(0);
    expect(after.clouds.gcp.notes.join(' ')).toContain('Cloud Monitoring');
  });
});

describe('tricloud status with clouds cut', () => {
  let outage: CloudOutage;
  let silent: Awaited<ReturnType<typeof startSilentEndpoint>>;
  let cut: StatusModel;

  beforeAll(async () => {
    outage = await proxyCloud('aws', env);
    await outage.cut();
    silent = await startSilentEndpoint();
    cut = await gather(
      { ...outage.env, [envNames.azure.cosmosEndpoint]: silent.url.replace('http:', 'https:') },
      4_000,
    );
  });

  afterAll(async () => {
    silent?.close();
    await outage?.close();
  });

  it('reports AWS unreachable, naming both services and why', () => {
    const aws = cut.clouds.aws;
    expect(aws.reachable).toBe(false);
    expect(aws.problems.map((p) => p.split(':')[0])).toEqual(['SQS', 'DynamoDB']);
    // A refused connection is told at once, not at the deadline.
    for (const problem of aws.problems) expect(problem).toContain('ECONNREFUSED');
  });

  it('reports the silent Cosmos DB as not answering within the deadline, and Event Hubs as answering', () => {
    const azure = cut.clouds.azure;
    expect(azure.reachable).toBe(false);
    expect(azure.problems).toEqual(['Cosmos DB: no answer within 4000 ms']);
    expect(azure.transport?.partitions?.length).toBeGreaterThan(0);
  });

  it('still reports GCP in full: its dead letters, documents and watermarks, and which source did not answer', () => {
    const gcp = cut.clouds.gcp;
    expect(gcp).toMatchObject({ reachable: true, problems: [] });
    expect(ruleCount(gcp)).toBe(ruleCount(after.clouds.gcp));
    expect(gcp.documents?.windows).toBe(after.clouds.gcp.documents?.windows);
    const fromAws = gcp.sync.find((s) => s.source === 'aws')!;
    expect(fromAws.watermarkAt).toBe(after.clouds.gcp.sync.find((s) => s.source === 'aws')!.watermarkAt);
    expect(fromAws.error).toMatch(/^aws's DynamoDB did not answer: /);
    expect(gcp.sync.find((s) => s.source === 'azure')!.error).toMatch(
      /^azure's Cosmos DB did not answer: no answer/,
    );
  });

  it('exits 2 from the command, and prints why', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'status-it-'));
    await writeEnvFile(path.join(dir, 'cut.env'), outage.env);
    const { code, out } = await tricloud([
      'status',
      '--env',
      path.join(dir, 'cut.env'),
      '--deadline',
      '4000',
    ]);
    expect(code).toBe(2);
    expect(out).toMatch(/^aws {4}✘ unreachable: SQS: /m);
    expect(out).toMatch(/^gcp {4}✔ reachable/m);
  });
});

describe('the transports as status sees them', () => {
  it('counts a message in the Pub/Sub dead-letter subscription without taking it', async () => {
    const settings = readGcpSettings(env);
    const pubsub = createPubSub(settings);
    const subscriber = new v1.SubscriberClient(
      (await pubsub.getClientConfig()) as ConstructorParameters<typeof v1.SubscriberClient>[0],
    );
    try {
      await pubsub
        .topic(settings.deadLetterTopic)
        .publishMessage({ data: Buffer.from('{}'), attributes: { series } });
      const first = await gather();
      const second = await gather();
      expect(first.clouds.gcp.transport?.deadLetterDepth).toBeGreaterThanOrEqual(1);
      // Peeked, not acknowledged: the second look finds it again.
      expect(second.clouds.gcp.transport?.deadLetterDepth).toBe(first.clouds.gcp.transport?.deadLetterDepth);
    } finally {
      await takeOwnLetter(subscriber, settings.projectId, settings.deadLetterSubscription);
      await subscriber.close();
      await pubsub.close();
    }
  });

  it("measures Event Hubs backlog against a checkpoint store's checkpoints", async () => {
    const asked: string[] = [];
    const checkpoints: CheckpointStore = {
      listOwnership: async () => [],
      claimOwnership: async () => [],
      updateCheckpoint: async () => {},
      async listCheckpoints(ns, hub, group): Promise<Checkpoint[]> {
        asked.push(`${hub}/${group}`);
        return [
          {
            fullyQualifiedNamespace: ns,
            eventHubName: hub,
            consumerGroup: group,
            partitionId: '0',
            sequenceNumber: -1,
            offset: '-1',
          },
        ];
      },
    };
    const source = openStatus(env, { deadlineMs: 10_000, checkpointStore: checkpoints });
    const model = await source.gather();
    await source.close();
    expect(asked).toEqual([`${env[envNames.azure.eventHubName]}/${env[envNames.azure.consumerGroup]}`]);
    const partitions = model.clouds.azure.transport!.partitions!;
    expect(partitions[0]).toMatchObject({
      partition: '0',
      checkpoint: -1,
      behind: partitions[0]!.lastEnqueued + 1,
    });
    expect(model.clouds.azure.transport!.backlog).toBe(partitions.reduce((sum, p) => sum + p.behind!, 0));
    expect(model.clouds.azure.notes.join(' ')).not.toContain('checkpoints in its own memory');
  });

  it('exits 0 from the command with every cloud up, printing one JSON object', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'status-it-'));
    await writeEnvFile(path.join(dir, 'stack.env'), env);
    const { code, out } = await tricloud(['status', '--env', path.join(dir, 'stack.env'), '--json']);
    expect(code).toBe(0);
    const model = JSON.parse(out) as StatusModel;
    expect(ORIGINS.map((o) => model.clouds[o].reachable)).toEqual([true, true, true]);
  });
});

/** Acknowledges the letter this file published; hands any other straight back. */
async function takeOwnLetter(subscriber: v1.SubscriberClient, project: string, name: string): Promise<void> {
  const subscription = subscriber.subscriptionPath(project, name);
  const [response] = await subscriber.pull({ subscription, maxMessages: 1_000, returnImmediately: true });
  const messages = response.receivedMessages ?? [];
  const own = messages.filter((m) => m.message?.attributes?.series === series).map((m) => m.ackId!);
  const others = messages.filter((m) => m.message?.attributes?.series !== series).map((m) => m.ackId!);
  if (own.length) await subscriber.acknowledge({ subscription, ackIds: own });
  if (others.length)
    await subscriber.modifyAckDeadline({ subscription, ackIds: others, ackDeadlineSeconds: 0 });
}
