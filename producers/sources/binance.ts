/**
 * The live `binance` source: Binance spot trades for a set of symbols, over one combined WebSocket stream
 * (`/stream?streams=<symbol>@trade/...`), as records with the trade id as `seq`.
 *
 * A live stream loses trades whenever the connection does (Binance closes every connection after 24 hours, and
 * networks fail), and a reconnect can replay what was already read. Binance numbers each symbol's trades
 * consecutively, so the source keeps the last trade id per symbol: an id at or below it is a duplicate and is
 * dropped; an id more than one above it reveals exactly which trades were missed, and those are fetched from the
 * REST old-trade lookup before the new trade is passed on. The same last-ids map is the resume position, so a
 * restarted producer fills the time it was down the same way. Without a REST URL the missed trades are counted and
 * reported, never passed over silently.
 */
import { show } from '../../shared/core/index.ts';
import { fetchMissingTrades } from './binance-historical-trades.ts';
import { parseTradeFrame } from './binance-trade-frame.ts';
import { ReconnectingSocket, type ReconnectPolicy } from './reconnecting-socket.ts';
import type { Source, SourceItem } from './source.ts';

/** Binance's market-data-only stream host (no user data streams; the same trade payloads as stream.binance.com). */
export const BINANCE_STREAM_URL = 'wss://data-stream.binance.vision';
/** Binance's REST host; `historicalTrades` is served here without an API key (not by the data-api mirror). */
export const BINANCE_REST_URL = 'https://api.binance.com';

export interface BinanceSourceOptions {
  /** Spot symbols such as `BTCUSDT` (any case; records carry them in upper case, as Binance's `s` does). */
  symbols: readonly string[];
  /** WebSocket base URL; default {@link BINANCE_STREAM_URL}. */
  baseUrl?: string;
  /** REST base URL used to fill gaps; default {@link BINANCE_REST_URL}; `false` only counts and reports gaps. */
  restUrl?: string | false;
  /** A connection silent (no frame, no ping) this long is replaced; default 60 000 (Binance pings every 20 s). */
  heartbeatTimeoutMs?: number;
  /** Ceiling of the first reconnect delay; default 500. */
  initialReconnectDelayMs?: number;
  /** Cap of the doubling reconnect delay; default 30 000. */
  maxReconnectDelayMs?: number;
  /** At most this many trades are fetched to fill one gap (the rest are reported missing); default 100 000. */
  maxGapFill?: number;
  /** Reading pauses while this many frames wait for a slow reader; default 100 000. */
  maxBufferedFrames?: number;
  /** First delay between REST retries, doubling; default 500. */
  restRetryDelayMs?: number;
  /** Reconnects, gaps and server shutdowns, as sentences for the producer's log; default: standard error. */
  onNotice?: (message: string) => void;
}

/** Trades of `symbol` with ids `fromId..toId` that could not be read from the stream; `missing` were not filled. */
export interface TradeGap {
  symbol: string;
  fromId: number;
  toId: number;
  missing: number;
  reason: string;
}

/** Live counters of a {@link BinanceSource}, for the producer's progress and end-of-run report. */
export interface BinanceStreamStats {
  /** Connections opened, counting attempts that failed. */
  connections: number;
  /** Times the stream was lost and a new connection started. */
  reconnects: number;
  /** Trades read again after a reconnect (or already produced before a resume) and dropped. */
  duplicates: number;
  /** Times reading paused because the reader fell more than `maxBufferedFrames` behind. */
  pauses: number;
  /** Trades fetched from REST to fill gaps. */
  filled: number;
  /** Trades known to be missed and not filled: the sum of `gaps[].missing`. */
  missing: number;
  gaps: TradeGap[];
}

/** A {@link Source} that also exposes its reconnect and gap counters. */
export interface BinanceSource extends Source {
  readonly stats: BinanceStreamStats;
}

const SYMBOL = /^[A-Za-z0-9]{2,30}$/;

/**
 * The live trade stream of `symbols`. Each record is `{series: symbol, seq: trade id, ts: trade time, value:
 * price, qty: quantity}`; each position is the JSON of the last trade id per symbol (`{"BTCUSDT":4012345678}`).
 * Frames that are not valid trades are yielded as rejects with the frame text, numbered by frame.
 *
 * @example
 * const source = binanceSource({ symbols: ['BTCUSDT', 'ETHUSDT'] });
 * const stop = new AbortController();
 * for await (const item of source.items({ signal: stop.signal, resumeFrom: checkpoint })) {
 *   if (item.kind === 'record') send(item.record, item.position);
 * }
 * console.log(`${source.stats.missing} trades missed, ${source.stats.filled} filled from REST`);
 */
export function binanceSource(options: BinanceSourceOptions): BinanceSource {
  const config = binanceConfig(options);
  const stats: BinanceStreamStats = {
    connections: 0,
    reconnects: 0,
    duplicates: 0,
    pauses: 0,
    filled: 0,
    missing: 0,
    gaps: [],
  };
  return {
    name: `binance:${config.symbols.join(',')}`,
    stats,
    items: ({ signal, resumeFrom }) => new TradeReading(config, stats, signal).items(resumeFrom),
  };
}

/** What {@link binanceSource} settles from its options, checked. */
interface BinanceConfig {
  /** Upper case, deduplicated, sorted. */
  symbols: string[];
  url: string;
  restUrl: string | false;
  maxGapFill: number;
  restRetryDelayMs: number | undefined;
  socket: ReconnectPolicy;
  notice: (message: string) => void;
}

function binanceConfig(options: BinanceSourceOptions): BinanceConfig {
  // Sorted: the name is part of the producer's run identity, and `--symbols B,A` is the same run as `A,B`.
  const symbols = [...new Set(options.symbols.map((symbol) => checkSymbol(symbol)))].sort();
  if (symbols.length === 0) {
    throw new Error('The binance source needs at least one symbol: pass --symbols BTCUSDT,ETHUSDT.');
  }
  const restUrl = options.restUrl === undefined ? BINANCE_REST_URL : options.restUrl;
  if (restUrl !== false) checkUrl(restUrl, ['http:', 'https:'], 'REST URL');
  return {
    symbols,
    url: binanceStreamUrl(options.baseUrl ?? BINANCE_STREAM_URL, symbols),
    restUrl,
    maxGapFill: options.maxGapFill ?? 100_000,
    restRetryDelayMs: options.restRetryDelayMs,
    socket: {
      heartbeatTimeoutMs: options.heartbeatTimeoutMs ?? 60_000,
      initialDelayMs: options.initialReconnectDelayMs ?? 500,
      maxDelayMs: options.maxReconnectDelayMs ?? 30_000,
      maxBufferedFrames: options.maxBufferedFrames ?? 100_000,
    },
    notice: options.onNotice ?? ((message: string) => process.stderr.write(`binance: ${message}\n`)),
  };
}

/**
 * One reading of the stream, from `items` to its end: the socket, the last trade id per symbol (the position), and
 * the frames counted so far (rejects are numbered by frame).
 */
class TradeReading {
  readonly #config: BinanceConfig;
  readonly #stats: BinanceStreamStats;
  readonly #signal: AbortSignal;
  /** Our own controller also stops the socket when the reader stops early (break / return) without aborting. */
  readonly #stop = new AbortController();
  #last = new Map<string, number>();
  #frameNumber = 0;

  constructor(config: BinanceConfig, stats: BinanceStreamStats, signal: AbortSignal) {
    this.#config = config;
    this.#stats = stats;
    this.#signal = signal;
  }

  async *items(resumeFrom: string | undefined): AsyncGenerator<SourceItem> {
    this.#last = readPosition(resumeFrom);
    if (this.#signal.aborted) return;
    const onAbort = () => this.#stop.abort(this.#signal.reason);
    this.#signal.addEventListener('abort', onAbort, { once: true });
    const socket = this.#connect();
    try {
      for await (const text of socket.frames()) {
        yield* this.#read(text, socket);
        if (this.#stop.signal.aborted) return;
      }
    } finally {
      this.#signal.removeEventListener('abort', onAbort);
      this.#stop.abort();
      // Return only once the socket is closed, so a stopped source leaves no connection or timer behind.
      await socket.finished;
      this.#stats.connections = socket.connections;
    }
  }

  #connect(): ReconnectingSocket {
    const stats = this.#stats;
    const socket: ReconnectingSocket = new ReconnectingSocket(
      this.#config.url,
      this.#stop.signal,
      this.#config.socket,
      {
        onOpen: () => {
          stats.connections = socket.connections;
        },
        onPause: () => {
          stats.pauses++;
        },
        onDrop: ({ code, reason, retryInMs }) => {
          stats.connections = socket.connections;
          stats.reconnects++;
          this.#config.notice(`the stream closed (${code}: ${reason}); reconnecting in ${retryInMs} ms`);
        },
      },
    );
    return socket;
  }

  /** One frame: a reject, a duplicate dropped, or a trade — after the trades missed before it, filled from REST. */
  async *#read(text: string, socket: ReconnectingSocket): AsyncGenerator<SourceItem> {
    this.#frameNumber++;
    const frame = parseTradeFrame(text);
    if (frame.kind === 'invalid') {
      yield { kind: 'reject', line: this.#frameNumber, reason: frame.reason, text };
      return;
    }
    if (frame.kind === 'server-shutdown') {
      this.#config.notice('the server announced a shutdown; reconnecting now');
      socket.reconnect();
      return;
    }
    const { record } = frame;
    const previous = this.#last.get(record.series);
    if (previous !== undefined && record.seq <= previous) {
      this.#stats.duplicates++;
      return;
    }
    if (previous !== undefined && record.seq > previous + 1) {
      yield* this.#fillGap(record.series, previous + 1, record.seq - 1);
      if (this.#stop.signal.aborted) return;
    }
    this.#last.set(record.series, record.seq);
    yield { kind: 'record', record, position: writePosition(this.#last) };
  }

  /** Yields the trades `fromId..toId` of `symbol` from REST, and records what it could not fill as a gap. */
  async *#fillGap(symbol: string, fromId: number, toId: number): AsyncGenerator<SourceItem> {
    const { restUrl, maxGapFill } = this.#config;
    let filled = 0;
    let reason = 'no REST URL is configured to fill it';
    if (restUrl !== false) {
      const fillTo = Math.min(toId, fromId + maxGapFill - 1);
      try {
        for await (const item of this.#fetch(restUrl, symbol, fromId, fillTo)) {
          if (item.kind === 'record') filled++;
          yield item;
        }
        reason =
          fillTo < toId
            ? `the gap is larger than maxGapFill (${maxGapFill})`
            : 'Binance returned fewer trades than were missing';
      } catch (error) {
        if (this.#stop.signal.aborted) return;
        reason = (error as Error).message;
      }
    }
    this.#reportGap(symbol, fromId, toId, filled, reason);
  }

  /** The trades `fromId..toId` of `symbol` from REST, as items: the position moves with each one filled. */
  async *#fetch(restUrl: string, symbol: string, fromId: number, toId: number): AsyncGenerator<SourceItem> {
    const signal = this.#stop.signal;
    const retryDelayMs = this.#config.restRetryDelayMs;
    for await (const trade of fetchMissingTrades({ restUrl, symbol, fromId, toId, signal, retryDelayMs })) {
      if (!trade.ok) {
        yield { kind: 'reject', line: this.#frameNumber, reason: trade.reason, text: trade.text };
        continue;
      }
      this.#stats.filled++;
      this.#last.set(symbol, trade.record.seq);
      yield { kind: 'record', record: trade.record, position: writePosition(this.#last) };
    }
  }

  #reportGap(symbol: string, fromId: number, toId: number, filled: number, reason: string): void {
    const wanted = toId - fromId + 1;
    if (filled >= wanted) {
      this.#config.notice(`filled ${filled} missed ${symbol} trades (ids ${fromId}-${toId}) from REST`);
      return;
    }
    const missing = wanted - filled;
    this.#stats.missing += missing;
    this.#stats.gaps.push({ symbol, fromId, toId, missing, reason });
    this.#config.notice(
      `${missing} ${symbol} trades between ids ${fromId} and ${toId} are missing: ${reason}`,
    );
  }
}

/** The combined-stream URL for the trade streams of `symbols` (lower case, as Binance's stream names are). */
export function binanceStreamUrl(baseUrl: string, symbols: readonly string[]): string {
  checkUrl(baseUrl, ['ws:', 'wss:'], 'WebSocket base URL');
  const streams = symbols.map((symbol) => `${symbol.toLowerCase()}@trade`).join('/');
  // Built by hand: URLSearchParams would percent-encode the '@' and '/' that Binance's stream names use.
  return `${baseUrl.replace(/\/+$/, '')}/stream?streams=${streams}`;
}

/** Reads a position this source yielded (`{"BTCUSDT":123}`) into the last trade id per symbol. */
export function readPosition(position: string | undefined): Map<string, number> {
  const last = new Map<string, number>();
  if (position === undefined) return last;
  let parsed: unknown;
  try {
    parsed = JSON.parse(position);
  } catch {
    parsed = undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error(
      `The resume position ${show(position)} is not one the binance source writes ({"BTCUSDT":<last trade id>}); ` +
        'resume only from a checkpoint of a binance run, or start without one.',
    );
  }
  for (const [symbol, id] of Object.entries(parsed)) {
    if (!SYMBOL.test(symbol) || !Number.isSafeInteger(id) || (id as number) < 0) {
      throw new Error(
        `The resume position gives ${show(symbol)}: ${show(id)}, not a symbol and a trade id; ` +
          'resume only from a checkpoint of a binance run, or start without one.',
      );
    }
    last.set(symbol.toUpperCase(), id as number);
  }
  return last;
}

function writePosition(last: Map<string, number>): string {
  return JSON.stringify(Object.fromEntries(last));
}

function checkSymbol(symbol: string): string {
  if (!SYMBOL.test(symbol)) {
    throw new Error(
      `${show(symbol)} is not a Binance symbol: symbols are letters and digits such as BTCUSDT; ` +
        'pass them comma-separated, e.g. --symbols BTCUSDT,ETHUSDT.',
    );
  }
  return symbol.toUpperCase();
}

function checkUrl(text: string, protocols: string[], what: string): void {
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (url === undefined || !protocols.includes(url.protocol)) {
    throw new Error(
      `The binance ${what} ${show(text)} is not a ${protocols.join(' or ')} URL; pass one such as ` +
        `${protocols.includes('wss:') ? BINANCE_STREAM_URL : BINANCE_REST_URL}.`,
    );
  }
}
