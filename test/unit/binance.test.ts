import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type BinanceSourceOptions,
  binanceSource,
  binanceStreamUrl,
} from '../../producers/sources/binance.ts';
import type { Source, SourceItem } from '../../producers/sources/source.ts';
import type { DataRecord } from '../../shared/core/index.ts';
import {
  type BinanceReplayServer,
  type ReplayTrade,
  replayTrades,
  startBinanceReplayServer,
} from '../helpers/binance-replay-server.ts';
import { eventually } from '../helpers/eventually.ts';

let server: BinanceReplayServer;
let notices: string[];
/** Every reader a test starts, stopped after it even when an assertion failed, so none leaks into the next. */
let running: { stop: AbortController; done: Promise<void> }[];

beforeEach(async () => {
  server = await startBinanceReplayServer();
  notices = [];
  running = [];
});
afterEach(async () => {
  for (const run of running) run.stop.abort();
  await Promise.allSettled(running.map((run) => run.done));
  await server.close();
});

/** A source pointed at the replay server, with fast retries and no heartbeat surprises on a loaded machine. */
function source(options: Partial<BinanceSourceOptions> = {}) {
  return binanceSource({
    symbols: ['BTCUSDT'],
    baseUrl: server.wsUrl,
    restUrl: server.restUrl,
    initialReconnectDelayMs: 20,
    maxReconnectDelayMs: 100,
    restRetryDelayMs: 1,
    heartbeatTimeoutMs: 60_000,
    onNotice: (message) => notices.push(message),
    ...options,
  });
}

/** Reads a source in the background, as a producer would, until stopped. */
function consume(from: Source, resumeFrom?: string) {
  const stop = new AbortController();
  const items: SourceItem[] = [];
  const done = (async () => {
    for await (const item of from.items({ signal: stop.signal, resumeFrom })) items.push(item);
  })();
  running.push({ stop, done });
  const records = () => items.flatMap((item) => (item.kind === 'record' ? [item.record] : []));
  const rejects = () => items.flatMap((item) => (item.kind === 'reject' ? [item] : []));
  const untilRecords = (count: number) =>
    eventually(
      async () => records().length,
      (n) => n >= count,
      {
        what: `${count} records`,
        timeoutMs: 10_000,
        intervalMs: 5,
      },
    );
  return { stop, items, done, records, rejects, untilRecords };
}

function expected(trade: ReplayTrade): DataRecord {
  return {
    series: trade.symbol,
    seq: trade.id,
    ts: trade.time,
    value: Number(trade.price),
    qty: Number(trade.qty),
  };
}

function seqs(records: DataRecord[]): number[] {
  return records.map((record) => record.seq);
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

async function settle<T>(promise: Promise<T>, what: string, timeoutMs = 5_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

describe('binance source', () => {
  it('turns trade frames of a combined stream into exact records with resume positions', async () => {
    const from = source({ symbols: ['ETHUSDT', 'btcusdt', 'BTCUSDT'] });
    expect(from.name).toBe('binance:BTCUSDT,ETHUSDT');
    const run = consume(from);
    const connection = await server.nextConnection();
    expect(connection.streams).toEqual(['btcusdt@trade', 'ethusdt@trade']);

    const btc = replayTrades('BTCUSDT', 41, 2);
    const eth = replayTrades('ETHUSDT', 900, 1);
    connection.send(btc[0]!, eth[0]!, btc[1]!);
    await run.untilRecords(3);

    expect(run.records()).toEqual([expected(btc[0]!), expected(eth[0]!), expected(btc[1]!)]);
    expect(run.records()[0]).toEqual({
      series: 'BTCUSDT',
      seq: 41,
      ts: 1_700_000_000_410,
      value: 97_000.41,
      qty: 0.007,
    });
    expect(run.items.map((item) => (item.kind === 'record' ? item.position : undefined))).toEqual([
      '{"BTCUSDT":41}',
      '{"BTCUSDT":41,"ETHUSDT":900}',
      '{"BTCUSDT":42,"ETHUSDT":900}',
    ]);
    run.stop.abort();
    await settle(run.done, 'the source to stop');
  });

  it('reconnects after a drop mid-stream and delivers every trade exactly once, filling the gap from REST', async () => {
    const from = source();
    const run = consume(from);
    const trades = replayTrades('BTCUSDT', 1, 10);
    const first = await server.nextConnection();
    first.send(...trades.slice(0, 4));
    await run.untilRecords(4);

    first.drop();
    server.happen(...trades.slice(4, 7)); // trades 5-7 happen while the client is away
    const second = await server.nextConnection();
    second.send(trades[2]!, trades[3]!, ...trades.slice(7)); // 3 and 4 again, then 8-10
    await run.untilRecords(10);

    expect(run.records()).toEqual(trades.map(expected));
    expect(server.restQueries).toEqual(['BTCUSDT:5:3']);
    expect(from.stats).toMatchObject({ reconnects: 1, duplicates: 2, filled: 3, missing: 0, gaps: [] });
    expect(run.items.at(-1)).toMatchObject({ position: '{"BTCUSDT":10}' });
    run.stop.abort();
    await settle(run.done, 'the source to stop');
  });

  it('fills a gap longer than one REST page, page by page', async () => {
    const run = consume(source());
    const trades = replayTrades('BTCUSDT', 1, 2_600);
    const first = await server.nextConnection();
    first.send(trades[0]!);
    await run.untilRecords(1);

    first.drop();
    server.happen(...trades.slice(1, 2_599));
    (await server.nextConnection()).send(trades[2_599]!);
    await run.untilRecords(2_600);

    expect(seqs(run.records())).toEqual(range(1, 2_600));
    expect(server.restQueries).toEqual(['BTCUSDT:2:1000', 'BTCUSDT:1002:1000', 'BTCUSDT:2002:598']);
    run.stop.abort();
    await settle(run.done, 'the source to stop');
  });

  it('without a REST URL, reports the missed trades as a gap instead of passing over them', async () => {
    const from = source({ restUrl: false });
    const run = consume(from);
    const trades = replayTrades('BTCUSDT', 1, 8);
    const first = await server.nextConnection();
    first.send(...trades.slice(0, 4));
    await run.untilRecords(4);

    first.drop();
    (await server.nextConnection()).send(trades[7]!);
    await run.untilRecords(5);

    expect(seqs(run.records())).toEqual([1, 2, 3, 4, 8]);
    expect(from.stats.missing).toBe(3);
    expect(from.stats.gaps).toEqual([
      { symbol: 'BTCUSDT', fromId: 5, toId: 7, missing: 3, reason: 'no REST URL is configured to fill it' },
    ]);
    expect(notices).toContain(
      '3 BTCUSDT trades between ids 5 and 7 are missing: no REST URL is configured to fill it',
    );
    expect(server.restQueries).toEqual([]);
    run.stop.abort();
    await settle(run.done, 'the source to stop');
  });

  it('reports a gap the REST lookup could not fill, and goes on with the stream', async () => {
    const from = source();
    const run = consume(from);
    const trades = replayTrades('BTCUSDT', 1, 6);
    const first = await server.nextConnection();
    first.send(trades[0]!);
    await run.untilRecords(1);

    server.failRest(503);
    first.drop();
    server.happen(...trades.slice(1, 4));
    (await server.nextConnection()).send(trades[4]!, trades[5]!);
    await run.untilRecords(3);

    expect(seqs(run.records())).toEqual([1, 5, 6]);
    expect(server.restQueries).toEqual(['BTCUSDT:2:3', 'BTCUSDT:2:3', 'BTCUSDT:2:3']);
    expect(from.stats.gaps).toEqual([
      expect.objectContaining({ symbol: 'BTCUSDT', fromId: 2, toId: 4, missing: 3 }),
    ]);
    expect(from.stats.gaps[0]!.reason).toMatch(
      /^Could not fetch BTCUSDT trades from id 2 .*HTTP 503.*check the REST URL/,
    );
    run.stop.abort();
    await settle(run.done, 'the source to stop');
  });

  it('turns malformed frames into rejects with reasons, and later valid frames still arrive', async () => {
    const run = consume(source());
    const [good] = replayTrades('BTCUSDT', 7, 1);
    const badPrice = JSON.stringify({
      stream: 'btcusdt@trade',
      data: { e: 'trade', E: 2, s: 'BTCUSDT', t: 5, p: 'abc', q: '1.0', T: 1_700_000_000_000, m: false },
    });
    const noId = JSON.stringify({
      stream: 'btcusdt@trade',
      data: { e: 'trade', E: 2, s: 'BTCUSDT', p: '1.5', q: '1.0', T: 1_700_000_000_000, m: false },
    });
    const secondsNotMillis = JSON.stringify({
      stream: 'btcusdt@trade',
      data: { e: 'trade', E: 2, s: 'BTCUSDT', t: 6, p: '1.5', q: '1.0', T: 1.7e15, m: false },
    });
    const kline = JSON.stringify({ stream: 'btcusdt@kline_1m', data: { e: 'kline' } });
    (await server.nextConnection()).send('not json', badPrice, noId, secondsNotMillis, kline, good!);
    await run.untilRecords(1);

    expect(run.records()).toEqual([expected(good!)]);
    expect(run.rejects()).toEqual([
      { kind: 'reject', line: 1, reason: expect.stringMatching(/^the frame is not JSON/), text: 'not json' },
      {
        kind: 'reject',
        line: 2,
        reason: 'the price "p" must be a decimal string, got "abc"',
        text: badPrice,
      },
      { kind: 'reject', line: 3, reason: 'the trade id "t" is missing', text: noId },
      {
        kind: 'reject',
        line: 4,
        reason: expect.stringMatching(
          /^ts must be an integer epoch-milliseconds time.*\(from the trade's time "T"\)$/,
        ),
        text: secondsNotMillis,
      },
      {
        kind: 'reject',
        line: 5,
        reason: 'expected a trade event ("e":"trade"), got "e":"kline"',
        text: kline,
      },
    ]);
    run.stop.abort();
    await settle(run.done, 'the source to stop');
  });

  it('reconnects at once when the server announces a shutdown', async () => {
    const run = consume(source());
    const trades = replayTrades('BTCUSDT', 1, 2);
    const first = await server.nextConnection();
    first.send(trades[0]!, JSON.stringify({ e: 'serverShutdown', E: 1_700_000_000_000 }));
    const second = await server.nextConnection();
    await settle(first.closed, 'the client to close the old connection');
    second.send(trades[1]!);
    await run.untilRecords(2);

    expect(seqs(run.records())).toEqual([1, 2]);
    expect(run.rejects()).toEqual([]);
    run.stop.abort();
    await settle(run.done, 'the source to stop');
  });

  it('replaces a connection that goes silent past the heartbeat timeout', async () => {
    const from = source({ heartbeatTimeoutMs: 200 });
    const run = consume(from);
    const silent = await server.nextConnection();
    const next = await server.nextConnection();

    await settle(silent.closed, 'the client to close the silent connection');
    expect(next.streams).toEqual(['btcusdt@trade']);
    expect(from.stats.reconnects).toBeGreaterThanOrEqual(1);
    expect(notices[0]).toMatch(
      /^the stream closed \(\d+: no frame or ping for 200 ms\); reconnecting in \d+ ms$/,
    );
    run.stop.abort();
    await settle(run.done, 'the source to stop');
  });

  it('pauses reading while a slow reader is behind, and resumes without losing a frame', async () => {
    const from = source({ maxBufferedFrames: 8 });
    const stop = new AbortController();
    const reader = from.items({ signal: stop.signal })[Symbol.asyncIterator]();
    running.push({ stop, done: Promise.resolve() });
    const first = reader.next();
    const trades = replayTrades('BTCUSDT', 1, 1_000);
    (await server.nextConnection()).send(...trades);
    const seen = [await first];
    // The reader reads nothing more until the socket has had to pause for it.
    await eventually(
      async () => from.stats.pauses,
      (n) => n >= 1,
      { what: 'a pause', intervalMs: 5 },
    );

    while (seen.length < trades.length) seen.push(await settle(reader.next(), `item ${seen.length + 1}`));
    expect(seen.map((result) => (result.value as { record: DataRecord }).record.seq)).toEqual(
      range(1, 1_000),
    );
    expect(from.stats.reconnects).toBe(0);
    await reader.return?.();
  });

  it('stops promptly on abort, closing its socket and opening no other', async () => {
    const run = consume(source());
    const connection = await server.nextConnection();
    connection.send(...replayTrades('BTCUSDT', 1, 1));
    await run.untilRecords(1);

    run.stop.abort();
    await settle(run.done, 'the source to stop');
    await settle(connection.closed, 'the socket to close');
    expect(server.connections).toHaveLength(1);
  });

  it('stops promptly on abort while waiting for a gap fill', async () => {
    const run = consume(source());
    const trades = replayTrades('BTCUSDT', 1, 5);
    const first = await server.nextConnection();
    first.send(trades[0]!);
    await run.untilRecords(1);

    server.stallRest();
    first.drop();
    server.happen(...trades.slice(1, 4));
    const second = await server.nextConnection();
    second.send(trades[4]!);
    await eventually(
      async () => server.restQueries.length,
      (n) => n === 1,
      { what: 'the REST query', intervalMs: 5 },
    );

    run.stop.abort();
    await settle(run.done, 'the source to stop');
    await settle(second.closed, 'the socket to close');
    expect(seqs(run.records())).toEqual([1]);
  });

  it('closes its socket when the reader stops early', async () => {
    const from = source();
    const stop = new AbortController();
    const reading = (async () => {
      for await (const item of from.items({ signal: stop.signal })) return item;
    })();
    running.push({ stop, done: reading.then(() => undefined) });
    const connection = await server.nextConnection();
    connection.send(...replayTrades('BTCUSDT', 1, 3));

    expect(await settle(reading, 'the first item')).toMatchObject({ kind: 'record', record: { seq: 1 } });
    await settle(connection.closed, 'the socket to close');
    expect(connection.isOpen).toBe(false);
  });

  it('resumes after the position it was given: skips trades already produced, fills the ones missed', async () => {
    const from = source();
    const run = consume(from, '{"BTCUSDT":5}');
    const trades = replayTrades('BTCUSDT', 1, 10);
    server.happen(...trades.slice(0, 8)); // 6-8 happened while the producer was down
    (await server.nextConnection()).send(trades[4]!, trades[8]!, trades[9]!);
    await run.untilRecords(5);

    expect(run.records()).toEqual(trades.slice(5).map(expected));
    expect(server.restQueries).toEqual(['BTCUSDT:6:3']);
    expect(from.stats).toMatchObject({ duplicates: 1, filled: 3, missing: 0 });
    expect(run.items.at(-1)).toMatchObject({ position: '{"BTCUSDT":10}' });
    run.stop.abort();
    await settle(run.done, 'the source to stop');
  });

  it('refuses bad options and positions with sentences that say what to pass', async () => {
    expect(() => binanceSource({ symbols: [] })).toThrow(/needs at least one symbol: pass --symbols/);
    expect(() => binanceSource({ symbols: ['BTC/USDT'] })).toThrow(/"BTC\/USDT" is not a Binance symbol/);
    expect(() => binanceSource({ symbols: ['BTCUSDT'], baseUrl: 'https://example.test' })).toThrow(
      /WebSocket base URL "https:\/\/example.test" is not a ws: or wss: URL/,
    );
    const reading = source().items({ signal: AbortSignal.abort(), resumeFrom: '42' });
    await expect(reading[Symbol.asyncIterator]().next()).rejects.toThrow(
      /resume position "42" is not one the binance source writes/,
    );
    expect(server.connections).toHaveLength(0);
  });

  it('asks for the documented combined-stream path', () => {
    expect(binanceStreamUrl('wss://data-stream.binance.vision/', ['BTCUSDT', 'ETHUSDT'])).toBe(
      'wss://data-stream.binance.vision/stream?streams=btcusdt@trade/ethusdt@trade',
    );
  });
});
