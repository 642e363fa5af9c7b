/**
 * The read path on the local stack: the three read functions behind their local hosts (the GCP one inside the
 * Functions Framework), the client failing over between them, and `tricloud query` over the stores — each
 * equal to the export for the series and span, refusing requests without credentials and bad parameters.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSilentEndpoint } from '../../scripts/local-stack/silent-endpoint.ts';
import {
  type ReadHosts,
  sourceReadHandlers,
  startReadHosts,
} from '../../scripts/trigger-hosts/read-hosts.ts';
import { createReadClient, type ReadEndpoint, type ReadWindow } from '../../shared/client/index.ts';
import { createStores } from '../../shared/clouds/all-stores.ts';
import { systemClock } from '../../shared/clouds/system-clock.ts';
import { envNames, readCloudSettings } from '../../shared/config/environment.ts';
import { createIngest, ORIGINS, type Origin, parseWindows } from '../../shared/core/index.ts';
import { runTricloud } from '../helpers/cli.ts';
import { useStackEnv } from '../helpers/cloud-harness.ts';
import { expectExact, messagesOf, referenceWindows, T0 } from '../helpers/records.ts';

const WINDOWS = parseWindows('1m');
const series = `read-${Date.now().toString(36)}`;
const records = Array.from({ length: 600 }, (_, i) => ({
  series,
  seq: i,
  ts: T0 + i * 1_000,
  value: 100 + (i % 17) / 4,
  qty: (1 + (i % 3)) / 10,
}));
// Ten windows; the span [from, to) takes the third to the eighth.
const reference = referenceWindows(records, WINDOWS);
const from = reference[2]!.start;
const to = reference[8]!.start;
const expected = reference.slice(2, 8);

/** The span's windows, equal to the reference (exact sums against plain ones: vwap to 1e-9), each exact. */
function expectSpan(windows: readonly ReadWindow[]) {
  expectExact(
    windows.map(({ exact: _, ...w }) => w),
    expected,
  );
  expect(windows.every((w) => w.exact)).toBe(true);
}

let hosts: ReadHosts;
let env: Record<string, string>;
const closers: (() => unknown)[] = [];

beforeAll(async () => {
  env = useStackEnv();
  const settings = readCloudSettings(env);
  await Promise.all(
    ORIGINS.map(async (origin) => {
      const stores = await createStores(origin, settings);
      closers.push(() => stores.close());
      const ingest = createIngest(
        { store: stores.store, deadLetters: { put: async () => {} }, clock: systemClock },
        { origin, windows: WINDOWS },
      );
      expect((await ingest(messagesOf(records, 200, `${origin}-read-`))).failedMessageIds).toEqual([]);
    }),
  );
  hosts = await startReadHosts(await sourceReadHandlers());
});

afterAll(async () => {
  await hosts?.stop();
  for (const close of closers) await close();
});

function endpoints(): Record<Origin, ReadEndpoint> {
  const bearer = { authorization: `Bearer ${hosts.env.TRICLOUD_READ_TOKEN}` };
  return {
    aws: { url: hosts.urls.aws, headers: bearer },
    gcp: { url: hosts.urls.gcp, headers: bearer },
    azure: { url: hosts.urls.azure, headers: { 'x-functions-key': hosts.env[envNames.azure.readKey]! } },
  };
}

async function readAll(client: ReturnType<typeof createReadClient>): Promise<ReadWindow[]> {
  const out: ReadWindow[] = [];
  for await (const w of client.all({ series, window: '1m', from, to, limit: 4 })) out.push(w);
  return out;
}

describe.each(ORIGINS)('the %s read function', (cloud) => {
  it('answers the span exactly as exported, paged', async () => {
    const client = createReadClient({ endpoints: { [cloud]: endpoints()[cloud] } });
    expectSpan(await readAll(client));
  });

  it('refuses a request without its credential', async () => {
    const response = await fetch(
      `${new URL('windows', hosts.urls[cloud].replace(/windows$/, ''))}?series=${series}`,
    );
    expect(response.status).toBe(401);
  });

  it('answers 400 with the parameter for a bad one', async () => {
    const client = createReadClient({ endpoints: { [cloud]: endpoints()[cloud] } });
    await expect(client.windows({ series, window: '7m' })).rejects.toMatchObject({
      name: 'BadReadRequest',
      parameter: 'window',
    });
  });
});

describe('the read client', () => {
  it('moves on from a cloud that does not answer within the deadline', async () => {
    const silent = await startSilentEndpoint();
    try {
      const client = createReadClient({
        endpoints: { ...endpoints(), azure: { url: silent.url } },
        order: ['azure', 'aws'],
        deadlineMs: 1_000,
      });
      const page = await client.windows({ series, window: '1m', from, to });
      expect(page.cloud).toBe('aws');
      expect(page.passed).toEqual([{ cloud: 'azure', error: 'no answer within 1000 ms' }]);
      expectSpan(page.windows);
    } finally {
      silent.close();
    }
  });

  it('fails over to the next cloud when the first does not answer, and says which answered', async () => {
    const client = createReadClient({
      endpoints: { ...endpoints(), aws: { url: 'http://127.0.0.1:9/' } },
      order: ['aws', 'gcp', 'azure'],
      deadlineMs: 2_000,
    });
    const page = await client.windows({ series, window: '1m', from, to });
    expect(page.cloud).toBe('gcp');
    expect(page.passed.map((p) => p.cloud)).toEqual(['aws']);
    expectSpan(page.windows);
  });

  it('answers from whichever is first when hedging, identically', async () => {
    const client = createReadClient({ endpoints: endpoints(), order: ['azure', 'aws'], hedgeAfterMs: 1 });
    expectSpan(await readAll(client));
  });
});

describe('tricloud query', () => {
  function query(args: string[], extraEnv: Record<string, string> = {}) {
    return runTricloud(['query', ...args], { ...process.env, ...extraEnv });
  }

  it.each(ORIGINS)('reads the span from %s as exported', async (cloud) => {
    const iso = (ms: number) => new Date(ms).toISOString();
    const { code, out, err } = await query([
      '--series',
      series,
      '--from',
      iso(from),
      '--to',
      String(to),
      '--cloud',
      cloud,
      '--format',
      'ndjson',
    ]);
    expect(code, err).toBe(0);
    expect(err).toContain(`answered by ${cloud}: 6 windows`);
    expectSpan(
      out
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as ReadWindow),
    );
  });

  it('answers from the next cloud in auto when the first store does not answer', async () => {
    const silent = await startSilentEndpoint();
    try {
      const { code, out, err } = await query(
        [
          '--series',
          series,
          '--from',
          String(from),
          '--to',
          String(to),
          '--order',
          'aws,gcp,azure',
          '--deadline',
          '1500',
          '--format',
          'csv',
        ],
        { [envNames.aws.dynamodbEndpoint]: silent.url },
      );
      expect(code, err).toBe(0);
      expect(err).toContain('aws did not answer: no answer within 1500 ms');
      expect(err).toContain('answered by gcp: 6 windows');
      expect(out.trim().split('\n')).toHaveLength(7);
    } finally {
      silent.close();
    }
  });

  it('names a bad parameter and exits 1', async () => {
    const { code, err } = await query(['--series', 'a/b']);
    expect(code).toBe(1);
    expect(err).toContain('series must be');
  });
});
