/**
 * The read path on the local stack (issue 17): latency of a 60-window query through each cloud's read function
 * over HTTP (the local read hosts, the client); items DynamoDB reads for that query as its table grows from
 * 1,000 to 50,000 window documents (the real local DynamoDB, its own `ScannedCount`); and the time to an answer
 * when the preferred cloud takes the connection and never answers, with and without a hedge.
 */

import { DeleteTableCommand, type DynamoDBClient, type QueryCommandOutput } from '@aws-sdk/client-dynamodb';
import pLimit from 'p-limit';
import { createReadClient, type ReadEndpoint } from '../../shared/client/index.ts';
import { createStores } from '../../shared/clouds/all-stores.ts';
import { createDynamoClient } from '../../shared/clouds/aws/clients.ts';
import { DynamoStore } from '../../shared/clouds/aws/dynamo-store.ts';
import { systemClock } from '../../shared/clouds/system-clock.ts';
import { type CloudSettings, envNames, readCloudSettings } from '../../shared/config/environment.ts';
import {
  createIngest,
  type DataRecord,
  DEFAULT_PAGE,
  encodeMessage,
  ORIGINS,
  type Origin,
  parseWindows,
  partOf,
  readWindows,
  sliceOf,
  withParts,
  withSlices,
} from '../../shared/core/index.ts';
import { loadManifest } from '../local-stack/manifest.ts';
import { provisionDynamo } from '../local-stack/provision-aws.ts';
import { startSilentEndpoint } from '../local-stack/silent-endpoint.ts';
import { type ReadHosts, sourceReadHandlers, startReadHosts } from '../trigger-hosts/read-hosts.ts';
import type { Report } from './report.ts';

const MINUTE = 60_000;
const T0 = Math.ceil(1_700_000_000_000 / MINUTE) * MINUTE;
/** The query: 60 consecutive 1m windows, minutes 20 to 79 of the series. */
const RANGE_WINDOWS = 60;
const FROM = T0 + 20 * MINUTE;
const TO = FROM + RANGE_WINDOWS * MINUTE;

export interface ReadBenchOptions {
  /** Measured queries per cloud, after {@link ReadBenchOptions.warmup} unmeasured ones. */
  queries?: number;
  warmup?: number;
  /** Window documents of the large DynamoDB table. */
  largeDocuments?: number;
  /** Queries per failover case. */
  failoverQueries?: number;
}

/** Items 1 and 3 over HTTP, then item 2 against DynamoDB. `env` is the local stack's env contract. */
export async function benchRead(
  env: NodeJS.ProcessEnv,
  report: Report,
  section: (title: string) => void,
  o: ReadBenchOptions = {},
): Promise<void> {
  const settings = readCloudSettings(env);
  const series = `bench-read-${Date.now().toString(36)}`;
  console.error('bench: read, ingesting 80 minutes of one series into each cloud…');
  await ingestSeries(settings, series);
  // The read functions build their stores from process.env, as deployed.
  Object.assign(process.env, env);
  const hosts = await startReadHosts(await sourceReadHandlers());
  try {
    section(
      'read latency on the local stack: 60 consecutive 1m windows of one series, each read function over HTTP',
    );
    await benchLatency(endpointsOf(hosts), series, report, o.queries ?? 100, o.warmup ?? 5);
    section('read failover: the same query while AWS, asked first, takes the connection and never answers');
    await benchFailover(endpointsOf(hosts), series, report, o.failoverQueries ?? 10);
  } finally {
    await hosts.stop();
  }
  section('items DynamoDB reads for the same query as its table grows (local DynamoDB, a table of its own)');
  await benchItemsRead(settings, report, o.largeDocuments ?? 50_000);
}

/** 80 minutes of one series, 10 records a minute, through the real ingest into each cloud's store. */
async function ingestSeries(settings: CloudSettings, series: string): Promise<void> {
  const records: DataRecord[] = Array.from({ length: 800 }, (_, i) => ({
    series,
    seq: i,
    ts: T0 + i * 6_000,
    value: 100 + (i % 17) / 4,
    qty: (1 + (i % 3)) / 10,
  }));
  const messages = Array.from({ length: 8 }, (_, i) => ({
    id: `read-${i}`,
    body: encodeMessage(`read-b${i}`, records.slice(i * 100, (i + 1) * 100)),
  }));
  await Promise.all(
    ORIGINS.map(async (origin) => {
      const stores = await createStores(origin, settings);
      try {
        const ingest = createIngest(
          { store: stores.store, deadLetters: { put: async () => {} }, clock: systemClock },
          { origin, windows: parseWindows('1m') },
        );
        const { failedMessageIds, report } = await ingest(messages);
        if (failedMessageIds.length)
          throw new Error(`bench read: ingest into ${origin}: ${report.firstError}`);
      } finally {
        await stores.close();
      }
    }),
  );
}

function endpointsOf(hosts: ReadHosts): Record<Origin, ReadEndpoint> {
  const bearer = { authorization: `Bearer ${hosts.env[envNames.read.localToken]}` };
  return {
    aws: { url: hosts.urls.aws, headers: bearer },
    gcp: { url: hosts.urls.gcp, headers: bearer },
    azure: { url: hosts.urls.azure, headers: { 'x-functions-key': hosts.env[envNames.azure.readKey]! } },
  };
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!;
}

/** Item 1: p50 and p99 of one 60-window query through each cloud's read function alone. */
async function benchLatency(
  endpoints: Record<Origin, ReadEndpoint>,
  series: string,
  report: Report,
  queries: number,
  warmup: number,
): Promise<void> {
  for (const cloud of ORIGINS) {
    console.error(`bench: read latency through ${cloud}, ${warmup} warm-up and ${queries} queries…`);
    const client = createReadClient({ endpoints: { [cloud]: endpoints[cloud] } });
    const ms: number[] = [];
    for (let i = 0; i < warmup + queries; i++) {
      const started = performance.now();
      const page = await client.windows({ series, window: '1m', from: FROM, to: TO });
      const took = performance.now() - started;
      if (page.windows.length !== RANGE_WINDOWS || page.next !== undefined) {
        throw new Error(`bench read: ${cloud} answered ${page.windows.length} windows, not ${RANGE_WINDOWS}`);
      }
      if (i >= warmup) ms.push(took);
    }
    ms.sort((a, b) => a - b);
    const name = `${cloud}: 60-window query over HTTP`;
    report(`read.${cloud}.p50Ms`, `${name}, p50 (${queries} queries)`, percentile(ms, 0.5), 'ms');
    report(`read.${cloud}.p99Ms`, `${name}, p99 (${queries} queries)`, percentile(ms, 0.99), 'ms');
  }
}

/** Item 3: median time to an answer when AWS, asked first, is silent; deadline 1,000 ms, then a 100 ms hedge. */
async function benchFailover(
  endpoints: Record<Origin, ReadEndpoint>,
  series: string,
  report: Report,
  queries: number,
): Promise<void> {
  const silent = await startSilentEndpoint();
  try {
    const cases = [
      ['deadline', 'deadline 1,000 ms', undefined],
      ['hedged', 'deadline 1,000 ms, hedge after 100 ms', 100],
    ] as const;
    for (const [key, label, hedgeAfterMs] of cases) {
      console.error(`bench: read with aws silent, ${label}, ${queries} queries…`);
      const client = createReadClient({
        endpoints: { ...endpoints, aws: { url: silent.url } },
        order: ['aws', 'gcp', 'azure'],
        deadlineMs: 1_000,
        ...(hedgeAfterMs === undefined ? {} : { hedgeAfterMs }),
      });
      const ms: number[] = [];
      for (let i = 0; i < queries; i++) {
        const started = performance.now();
        const page = await client.windows({ series, window: '1m', from: FROM, to: TO });
        ms.push(performance.now() - started);
        if (page.cloud !== 'gcp' || page.windows.length !== RANGE_WINDOWS) {
          throw new Error(
            `bench read: with aws silent, ${page.cloud} answered ${page.windows.length} windows`,
          );
        }
      }
      ms.sort((a, b) => a - b);
      const name = `aws silent, order aws,gcp,azure, ${label}`;
      report(`read.failover.${key}.medianMs`, `${name}: median to answer`, percentile(ms, 0.5), 'ms');
      report(`read.failover.${key}.maxMs`, `${name}: slowest of ${queries}`, ms[ms.length - 1]!, 'ms');
    }
  } finally {
    silent.close();
  }
}

/** Counts what DynamoDB reports for every Query the client sends: items examined and returned, and calls. */
function countQueries(client: DynamoDBClient) {
  const tally = { scanned: 0, returned: 0, calls: 0 };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      if (context.commandName === 'QueryCommand') {
        const output = result.output as QueryCommandOutput;
        tally.scanned += output.ScannedCount ?? 0;
        tally.returned += output.Count ?? 0;
        tally.calls++;
      }
      return result;
    },
    { step: 'initialize', name: 'benchCountQueries' },
  );
  return tally;
}

/** The window documents of a table of `series × minutes`: series `S<k>`, one record a minute. */
function windowDocument(series: string, m: number, now: number) {
  const start = T0 + m * MINUTE;
  const part = partOf([{ series, seq: m, ts: start, value: 100 + (m % 7), qty: 1 }]);
  const slice = withParts({ series, window: '1m', start, slice: sliceOf(m) }, undefined, { aws: part }, now);
  return withSlices({ series, window: '1m', start }, undefined, [slice], now)!;
}

/** Item 2: items DynamoDB reads for the 60-window query, in a table of its own of 1,000 then more documents. */
async function benchItemsRead(settings: CloudSettings, report: Report, large: number): Promise<void> {
  const manifest = await loadManifest();
  const table = `${manifest.aws.aggregatesTable}-read-${Date.now().toString(36)}`;
  const aws = { ...manifest.aws, aggregatesTable: table };
  await provisionDynamo(settings.aws, { ...manifest, aws });
  const client = createDynamoClient(settings.aws);
  const tally = countQueries(client);
  const store = new DynamoStore({
    client,
    table,
    changesIndex: aws.changesIndex,
    windowsIndex: aws.windowsIndex,
  });
  const limit = pLimit(32);
  const sizes: [number, number][] = [
    [10, 100],
    [100, large / 100],
  ];
  const scanned: number[] = [];
  let held = new Set<string>();
  try {
    for (const [series, minutes] of sizes) {
      const started = performance.now();
      const docs: Promise<void>[] = [];
      const now = Date.now();
      const next = new Set<string>();
      for (let s = 0; s < series; s++) {
        for (let m = 0; m < minutes; m++) {
          const key = `${s}|${m}`;
          next.add(key);
          if (!held.has(key)) docs.push(limit(() => store.write(windowDocument(`S${s}`, m, now), 0)));
        }
      }
      console.error(`bench: read, writing ${docs.length.toLocaleString('en-US')} window documents…`);
      await Promise.all(docs);
      held = next;
      const fillSeconds = (performance.now() - started) / 1000;
      scanned.push(await reportItemsRead(store, tally, report, held.size, docs.length, fillSeconds));
    }
    report(
      'read.dynamo.itemsReadGrowthRatio',
      `items read, ${held.size.toLocaleString('en-US')} vs 1,000 documents`,
      scanned[1]! / scanned[0]!,
      '×',
    );
  } finally {
    await client.send(new DeleteTableCommand({ TableName: table })).catch(() => {});
    client.destroy();
  }
}

/** One 60-window query, paged as the read function pages it; reports and returns the items DynamoDB examined. */
async function reportItemsRead(
  store: DynamoStore,
  tally: { scanned: number; returned: number; calls: number },
  report: Report,
  documents: number,
  written: number,
  fillSeconds: number,
): Promise<number> {
  Object.assign(tally, { scanned: 0, returned: 0, calls: 0 });
  let windows = 0;
  let next: string | undefined;
  do {
    const page = await readWindows(store, {
      series: 'S3',
      window: '1m',
      from: FROM,
      to: TO,
      ...(next ? { next } : {}),
    });
    windows += page.windows.length;
    next = page.next;
  } while (next !== undefined);
  if (windows !== RANGE_WINDOWS) throw new Error(`bench read: DynamoDB answered ${windows} windows`);
  const k = `read.dynamo.docs${documents}`;
  const name = `${documents.toLocaleString('en-US')} window documents:`;
  report(
    `${k}.fillSeconds`,
    `${name} time to write ${written.toLocaleString('en-US')} (32 at once)`,
    fillSeconds,
    's',
  );
  const bound = RANGE_WINDOWS + DEFAULT_PAGE;
  const verdict = tally.scanned <= bound ? 'pass' : 'FAIL';
  report(
    `${k}.scannedCount`,
    `${name} items read, ScannedCount (≤ ${bound}: ${verdict})`,
    tally.scanned,
    'items',
  );
  report(`${k}.count`, `${name} items returned, Count`, tally.returned, 'items');
  report(`${k}.queries`, `${name} Query calls`, tally.calls, 'calls');
  return tally.scanned;
}
