/**
 * A local stand-in for Binance, on 127.0.0.1 only: a combined-stream WebSocket endpoint (`/stream?streams=...`)
 * that sends exactly the frames a test tells it to, in Binance's documented trade format, and drops connections
 * when told; and the REST old-trade lookup (`GET /api/v3/historicalTrades`) answered from every trade the test
 * has made "happen", as Binance answers from its database.
 *
 * Nothing here runs on a timer: the test decides what is sent and when a connection dies, and waits for the
 * client's reconnects with {@link BinanceReplayServer.nextConnection}.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';

export interface ReplayTrade {
  symbol: string;
  id: number;
  price: string;
  qty: string;
  time: number;
  buyerIsMaker?: boolean;
}

/** The trade event Binance's docs describe, wrapped as a combined stream wraps it. */
export function tradeFrame(trade: ReplayTrade): string {
  return JSON.stringify({
    stream: `${trade.symbol.toLowerCase()}@trade`,
    data: {
      e: 'trade',
      E: trade.time + 1,
      s: trade.symbol.toUpperCase(),
      t: trade.id,
      p: trade.price,
      q: trade.qty,
      T: trade.time,
      m: trade.buyerIsMaker ?? false,
      M: true,
    },
  });
}

/** `count` consecutive trades of `symbol` from id `firstId`, with prices and quantities as Binance writes them. */
export function replayTrades(symbol: string, firstId: number, count: number): ReplayTrade[] {
  return Array.from({ length: count }, (_, i) => {
    const id = firstId + i;
    return {
      symbol,
      id,
      price: (97_000 + id / 100).toFixed(8),
      qty: (0.001 * ((id % 7) + 1)).toFixed(8),
      time: 1_700_000_000_000 + id * 10,
      buyerIsMaker: id % 2 === 0,
    };
  });
}

/** One client connection, as the server sees it. */
export interface ReplayConnection {
  /** The stream names the client asked for, in order (`btcusdt@trade`). */
  readonly streams: string[];
  /** Sends each trade as a frame (and adds it to the REST history), or a raw text frame as is. */
  send(...frames: (ReplayTrade | string)[]): void;
  /** Kills the TCP connection without a closing handshake, as a network failure does. */
  drop(): void;
  /** Settles when the connection is closed, from either side. */
  readonly closed: Promise<void>;
  readonly isOpen: boolean;
}

export interface BinanceReplayServer {
  /** Base URL for the source's `baseUrl`: `ws://127.0.0.1:<port>`. */
  readonly wsUrl: string;
  /** Base URL for the source's `restUrl`: `http://127.0.0.1:<port>`. */
  readonly restUrl: string;
  /** Every connection so far, in order. */
  readonly connections: readonly ReplayConnection[];
  /** The `historicalTrades` queries received, as `symbol:fromId:limit`. */
  readonly restQueries: readonly string[];
  /** Makes trades "happen" without sending them: the REST lookup knows them, no client has seen them. */
  happen(...trades: ReplayTrade[]): void;
  /** The next connection not yet returned, waiting up to `timeoutMs` for the client to make it. */
  nextConnection(timeoutMs?: number): Promise<ReplayConnection>;
  /** Makes every REST query fail with this HTTP status from now on (e.g. 503), or answer again (undefined). */
  failRest(status: number | undefined): void;
  /** Leaves every REST query from now on unanswered, as a hung server does (until {@link close}). */
  stallRest(): void;
  close(): Promise<void>;
}

/** Starts the replay server on a free port of 127.0.0.1. */
export async function startBinanceReplayServer(): Promise<BinanceReplayServer> {
  const history = new Map<string, Map<number, ReplayTrade>>();
  const connections: ReplayConnection[] = [];
  const restQueries: string[] = [];
  let handedOut = 0;
  let restFailure: number | undefined;
  let restStalled = false;
  const waiters: (() => void)[] = [];

  const remember = (trade: ReplayTrade) => {
    const symbol = trade.symbol.toUpperCase();
    let trades = history.get(symbol);
    if (!trades) {
      trades = new Map();
      history.set(symbol, trades);
    }
    trades.set(trade.id, trade);
  };

  const http: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== '/api/v3/historicalTrades') {
      response.writeHead(404).end();
      return;
    }
    const symbol = url.searchParams.get('symbol') ?? '';
    const fromId = Number(url.searchParams.get('fromId'));
    const limit = Math.min(1000, Number(url.searchParams.get('limit') ?? 500));
    restQueries.push(`${symbol}:${fromId}:${limit}`);
    if (restStalled) return;
    if (restFailure !== undefined) {
      response.writeHead(restFailure, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ code: -1003, msg: 'replay server told to fail' }));
      return;
    }
    const rows = [...(history.get(symbol)?.values() ?? [])]
      .filter((trade) => trade.id >= fromId)
      .sort((a, b) => a.id - b.id)
      .slice(0, limit)
      .map((trade) => ({
        id: trade.id,
        price: trade.price,
        qty: trade.qty,
        quoteQty: (Number(trade.price) * Number(trade.qty)).toFixed(8),
        time: trade.time,
        isBuyerMaker: trade.buyerIsMaker ?? false,
        isBestMatch: true,
      }));
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify(rows));
  });

  const wss = new WebSocketServer({ server: http, path: '/stream' });
  wss.on('connection', (socket: WebSocket, request) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    let open = true;
    const closed = new Promise<void>((resolve) =>
      socket.on('close', () => {
        open = false;
        resolve();
      }),
    );
    connections.push({
      streams: (url.searchParams.get('streams') ?? '').split('/').filter(Boolean),
      send(...frames) {
        for (const frame of frames) {
          if (typeof frame !== 'string') remember(frame);
          socket.send(typeof frame === 'string' ? frame : tradeFrame(frame));
        }
      },
      drop() {
        socket.terminate();
      },
      closed,
      get isOpen() {
        return open;
      },
    });
    for (const wake of waiters.splice(0)) wake();
  });

  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;

  return {
    wsUrl: `ws://127.0.0.1:${port}`,
    restUrl: `http://127.0.0.1:${port}`,
    connections,
    restQueries,
    happen(...trades) {
      for (const trade of trades) remember(trade);
    },
    async nextConnection(timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (handedOut >= connections.length) {
        const left = deadline - Date.now();
        if (left <= 0) {
          throw new Error(
            `timed out after ${timeoutMs} ms waiting for connection ${handedOut + 1} from the client`,
          );
        }
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      return connections[handedOut++]!;
    },
    failRest(status) {
      restFailure = status;
    },
    stallRest() {
      restStalled = true;
    },
    async close() {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      http.closeAllConnections(); // stalled REST queries included
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
