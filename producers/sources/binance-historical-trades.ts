/**
 * Fills a gap in a symbol's trade ids from Binance's REST "old trade lookup",
 * `GET /api/v3/historicalTrades?symbol=&fromId=&limit=` (weight 25, up to 1000 trades a page, from the database,
 * so it reaches back arbitrarily far).
 *
 * Why this endpoint and not `/api/v3/aggTrades`: aggregate trades are numbered by their own aggregate id and merge
 * the fills of one taker order, while the stream's records use the individual trade id `t` as `seq`. Only
 * `historicalTrades` returns the very trades the stream would have delivered, with the same ids, so a filled
 * record is identical to the one that was missed and the stores count each exactly once.
 */
import { systemClock } from '../../shared/clouds/system-clock.ts';
import { backoffCeiling, type DataRecord } from '../../shared/core/index.ts';
import { parseHistoricalTrade } from './binance-trade-frame.ts';

/** Binance's documented maximum page size for `historicalTrades`. */
export const HISTORICAL_TRADES_PAGE = 1000;
/** The cap of the doubling wait between a page's attempts. */
const MAX_RETRY_DELAY_MS = 30_000;

export interface GapFillRequest {
  /** REST base URL, e.g. `https://api.binance.com` (the `data-api.binance.vision` mirror does not serve this path). */
  restUrl: string;
  /** Upper case, as the REST API expects. */
  symbol: string;
  /** First missing trade id. */
  fromId: number;
  /** Last missing trade id. */
  toId: number;
  signal: AbortSignal;
  /** Attempts per page before giving up (transient 5xx, 429, network errors). */
  attempts?: number;
  /** First retry delay; doubles per attempt (up to 30 s). */
  retryDelayMs?: number;
}

export type FilledTrade = { ok: true; record: DataRecord } | { ok: false; reason: string; text: string };

/** Why a gap could not be filled (after retries); the caller reports the trades still missing. */
export class GapFillError extends Error {
  override name = 'GapFillError';
}

/**
 * Yields the trades `fromId..toId` of `symbol` in id order, page by page. Rows that are not valid trades are
 * yielded as failures with the row's text. Stops early (without throwing) if Binance has no more trades, and
 * throws a {@link GapFillError} if a page cannot be fetched after the retries.
 */
export async function* fetchMissingTrades(request: GapFillRequest): AsyncGenerator<FilledTrade> {
  let next = request.fromId;
  while (next <= request.toId) {
    const limit = Math.min(HISTORICAL_TRADES_PAGE, request.toId - next + 1);
    const rows = await fetchPage(request, next, limit);
    if (rows.length === 0) return;
    let progressed = false;
    for (const row of rows) {
      const trade = parseHistoricalTrade(request.symbol, row);
      if (!trade.ok) {
        yield {
          ok: false,
          reason: `historical trade of ${request.symbol}: ${trade.reason}`,
          text: JSON.stringify(row),
        };
        continue;
      }
      if (trade.record.seq < next) continue;
      if (trade.record.seq > request.toId) return;
      next = trade.record.seq + 1;
      progressed = true;
      yield trade;
    }
    // A page of nothing but unreadable rows gives no id to continue from; stop rather than ask for it forever.
    if (!progressed) return;
  }
}

async function fetchPage(request: GapFillRequest, fromId: number, limit: number): Promise<unknown[]> {
  const url = new URL('/api/v3/historicalTrades', request.restUrl);
  url.search = new URLSearchParams({
    symbol: request.symbol,
    fromId: String(fromId),
    limit: String(limit),
  }).toString();
  const attempts = request.attempts ?? 3;
  // One client paging through its own gap: a deterministic doubling, no jitter to spread it from others.
  const backoff = { baseMs: request.retryDelayMs ?? 500, maxMs: MAX_RETRY_DELAY_MS };
  let lastProblem = '';
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      const response = await fetch(url, { signal: request.signal });
      if (response.ok) {
        const body: unknown = await response.json();
        if (Array.isArray(body)) return body;
        lastProblem = `the reply was not a JSON array of trades`;
      } else {
        lastProblem = `HTTP ${response.status} ${(await response.text()).slice(0, 200)}`;
        // 4xx other than rate limiting (429, 418) will not change on retry: a bad symbol, a moved endpoint.
        if (response.status < 500 && response.status !== 429 && response.status !== 418) break;
      }
    } catch (error) {
      if (request.signal.aborted) throw error;
      lastProblem = (error as Error).message;
    }
    if (attempt < attempts) {
      // A stopping producer never waits out a retry delay.
      await systemClock.sleep(backoffCeiling(attempt, backoff), request.signal);
      request.signal.throwIfAborted();
    }
  }
  throw new GapFillError(
    `Could not fetch ${request.symbol} trades from id ${fromId} at ${url.origin}${url.pathname} (${lastProblem}); ` +
      'check the REST URL and the network, or run without one to only count the missed trades.',
  );
}
