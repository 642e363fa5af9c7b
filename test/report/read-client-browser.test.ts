/**
 * The read client (`tricloud/client`) in a browser, as an application's page loads it: the bundle `npm run build`
 * makes, in headless Chromium, asking a cloud that refuses first and the real read handler (over the in-memory
 * store) second. The page must fail over and show the windows it read. (A cloud that never answers is tested in
 * Node: Chromium's virtual time, which makes the page's timers instant, stands still while a request is open.)
 */

import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { readRuntime } from '../../functions/read-runtime.ts';
import { bundleClient } from '../../scripts/build/client-bundle.ts';
import { createIngest, parseWindows } from '../../shared/core/index.ts';
import { MemoryStore, SteppingClock } from '../../shared/core/testing/index.ts';
import { messagesOf, record, T0 } from '../helpers/records.ts';
import { renderedUrl } from './headless-chromium.ts';

const root = path.resolve(import.meta.dirname, '..', '..');
let server: Server;
let client: string;

/** The page: imports the client, asks a refusing endpoint first, then this server, and writes what it got. */
const page = (
  refusingUrl: string,
) => `<!doctype html><html><body><pre id="out">pending</pre><script type="module">
import { createReadClient } from '/client.js';
const client = createReadClient({
  endpoints: { aws: { url: ${JSON.stringify(refusingUrl)} }, gcp: { url: location.origin + '/' } },
  order: ['aws', 'gcp'],
  deadlineMs: 1000,
});
const out = document.getElementById('out');
client.windows({ series: 'BTC', window: '1m', from: ${T0 - 60_000}, to: ${T0 + 600_000} })
  .then((p) => { out.textContent = JSON.stringify({ cloud: p.cloud, passed: p.passed, count: p.windows.length, first: p.windows[0] }); })
  .catch((e) => { out.textContent = 'error: ' + e.message; });
</script></body></html>`;

beforeAll(async () => {
  const built = await bundleClient(root);
  client = await readFile(built.file, 'utf8');
  const store = new MemoryStore();
  const ingest = createIngest(
    { store, deadLetters: store, clock: new SteppingClock() },
    { origin: 'gcp', windows: parseWindows('1m') },
  );
  await ingest(
    messagesOf(
      Array.from({ length: 120 }, (_, i) => record({ series: 'BTC', seq: i, ts: T0 + i * 1_000 })),
      60,
    ),
  );
  const read = readRuntime('gcp', async () => ({ store, close() {} }));
  server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://local');
    if (url.pathname === '/client.js')
      return void res.writeHead(200, { 'content-type': 'text/javascript' }).end(client);
    if (url.pathname === '/windows') {
      const answer = await read({ query: (name) => url.searchParams.get(name) ?? undefined });
      return void res.writeHead(answer.status, answer.headers).end(answer.body);
    }
    // Port 9 (discard) has no listener here: the connection is refused, as a cloud that is down refuses it.
    res.writeHead(200, { 'content-type': 'text/html' }).end(page('http://127.0.0.1:9/'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
});

describe('the read client in a browser', () => {
  it('fails over from a cloud that refuses to the next, and reads its windows', async () => {
    const { port } = server.address() as AddressInfo;
    const dom = await renderedUrl(inject('chromiumPath'), `http://127.0.0.1:${port}/`, 800);
    const text = /<pre id="out">([^<]*)<\/pre>/.exec(dom)?.[1] ?? '';
    const result = JSON.parse(text.replaceAll('&quot;', '"')) as {
      cloud: string;
      passed: { cloud: string; error: string }[];
      count: number;
      first: { series: string; count: number; exact: boolean };
    };
    expect(result.cloud).toBe('gcp');
    expect(result.passed.map((p) => p.cloud)).toEqual(['aws']);
    // T0 is 20 s into its minute: 120 records at 1 s span three windows, 40 records in the first.
    expect(result.count).toBe(3);
    expect(result.first).toMatchObject({ series: 'BTC', count: 40, exact: true });
  });
});
