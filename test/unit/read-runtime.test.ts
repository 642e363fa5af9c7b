/**
 * The read endpoint the three clouds share, over the in-memory store: what a GET answers, page by page, with its
 * caching headers, and the 400 a bad parameter gets. The platform entry points and their authentication are tested
 * against the built bundles in test/integration.
 */
import { describe, expect, it } from 'vitest';
import { readRuntime } from '../../functions/read-runtime.ts';
import { parseTimeParameter as parseTime } from '../../shared/client/time.ts';
import { createIngest, parseWindows, readWindows } from '../../shared/core/index.ts';
import { MemoryStore, SteppingClock } from '../../shared/core/testing/index.ts';
import { messagesOf, record, referenceWindows, T0 } from '../helpers/records.ts';

const records = Array.from({ length: 300 }, (_, i) =>
  record({ series: 'BTC', seq: i, ts: T0 + i * 1_000, value: i }),
);

async function storeWithWindows() {
  const store = new MemoryStore();
  const ingest = createIngest(
    { store, deadLetters: store, clock: new SteppingClock() },
    { origin: 'aws', windows: parseWindows('1m') },
  );
  await ingest(messagesOf(records, 100));
  return store;
}

function endpoint(store: MemoryStore) {
  return readRuntime('aws', async () => ({ store, close() {} }));
}

const query = (params: Record<string, string>) => ({ query: (name: string) => params[name] });
const NOW = T0 + 3_600_000;

describe('the read endpoint', () => {
  it("answers one series' windows over [from, to) in the export format with exact, paged by next", async () => {
    const read = endpoint(await storeWithWindows());
    const reference = referenceWindows(records, parseWindows('1m'));
    const got: unknown[] = [];
    let next: string | undefined;
    do {
      const params: Record<string, string> = {
        series: 'BTC',
        from: String(T0 - 60_000),
        to: String(NOW),
        limit: '2',
      };
      if (next) params.next = next;
      const answer = await read(query(params), NOW);
      expect(answer.status).toBe(200);
      const body = JSON.parse(answer.body) as { cloud: string; windows: unknown[]; next?: string };
      expect(body.cloud).toBe('aws');
      got.push(...body.windows);
      next = body.next;
    } while (next);
    expect(got).toEqual(reference.map((w) => ({ ...w, exact: true })));
  });

  it('tags answers with an ETag, answers If-None-Match with 304, and caches only ranges that have ended', async () => {
    const read = endpoint(await storeWithWindows());
    const closed = await read(query({ series: 'BTC', from: '2023-11-14', to: String(T0 + 120_000) }), NOW);
    expect(closed.headers['cache-control']).toBe('public, max-age=300');
    const again = await read(
      {
        ...query({ series: 'BTC', from: '2023-11-14', to: String(T0 + 120_000) }),
        ifNoneMatch: closed.headers.etag,
      },
      NOW,
    );
    expect(again).toMatchObject({ status: 304, body: '' });
    const open = await read(query({ series: 'BTC', from: String(T0), to: String(NOW + 30_000) }), NOW);
    expect(open.headers['cache-control']).toBe('no-cache');
  });

  it.each([
    [{ series: 'a/b' }, 'series'],
    [{ series: 'BTC', window: '7m' }, 'window'],
    [{ series: 'BTC', from: 'yesterday' }, 'from'],
    [{ series: 'BTC', from: '2026-11-27T09:00:00' }, 'from'],
    [{ series: 'BTC', from: String(NOW), to: String(NOW) }, 'to'],
    [{ series: 'BTC', limit: '5000' }, 'limit'],
    [{ series: 'BTC', next: 'x' }, 'next'],
  ])('answers 400 naming the parameter for %j', async (params, parameter) => {
    const answer = await endpoint(new MemoryStore())(query(params), NOW);
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toMatchObject({ parameter, error: expect.stringContaining(parameter) });
  });

  it('answers 503 with Retry-After when its store is down, so a client asks another cloud', async () => {
    const store = new MemoryStore();
    store.down = true;
    const answer = await endpoint(store)(query({ series: 'BTC' }), NOW);
    expect(answer).toMatchObject({ status: 503, headers: { 'retry-after': '5' } });
  });

  it('reads ISO 8601 with a zone, UTC dates and epoch milliseconds', () => {
    expect(parseTime('2023-11-14T22:13:20Z', 'from', 0)).toBe(T0);
    expect(parseTime('2023-11-14T23:13:20+01:00', 'from', 0)).toBe(T0);
    expect(parseTime('2023-11-14', 'from', 0)).toBe(Date.UTC(2023, 10, 14));
    expect(parseTime(String(T0), 'from', 0)).toBe(T0);
    expect(parseTime(undefined, 'from', 42)).toBe(42);
  });

  it('costs reads of the windows returned, not of the store', async () => {
    const store = await storeWithWindows();
    await readWindows(store, { series: 'BTC', window: '1m', from: T0, to: T0 + 120_000 });
    expect(store.counters.rangeRead).toBe(2);
  });
});
