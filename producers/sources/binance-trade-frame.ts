/**
 * Binance's trade payloads turned into records: the WebSocket trade event (`<symbol>@trade`, inside a
 * combined-stream `{"stream","data"}` wrapper) and the REST old-trade-lookup row (`/api/v3/historicalTrades`).
 *
 * Both carry prices and quantities as decimal strings so that no precision is lost on the wire; a record holds
 * numbers, so they are converted here, but only after checking they are plain decimals: `Number('')` is 0 and
 * `Number(' 1e3')` is 1000, and a source must reject those rather than invent a trade.
 */
import { type DataRecord, show, validateRecord } from '../../shared/core/index.ts';

/** One frame read: a trade, the server's notice that it is about to shut the connection, or why it is neither. */
export type TradeFrame =
  | { kind: 'trade'; record: DataRecord }
  | { kind: 'server-shutdown' }
  | { kind: 'invalid'; reason: string };

/** A row of `GET /api/v3/historicalTrades`, turned into a record or the reason it could not be. */
export type HistoricalTrade = { ok: true; record: DataRecord } | { ok: false; reason: string };

const DECIMAL = /^-?\d+(\.\d+)?$/;

/**
 * Reads one text frame of a combined trade stream. Raw-stream frames (the payload without the wrapper) are read
 * too, so the same parser serves `/ws/<symbol>@trade` if a caller ever connects that way.
 *
 * @example
 * parseTradeFrame('{"stream":"btcusdt@trade","data":{"e":"trade","E":1,"s":"BTCUSDT","t":7,' +
 *   '"p":"97000.10","q":"0.002","T":1700000000000,"m":true}}');
 * // { kind: 'trade', record: { series: 'BTCUSDT', seq: 7, ts: 1700000000000, value: 97000.1, qty: 0.002 } }
 */
export function parseTradeFrame(text: string): TradeFrame {
  let frame: unknown;
  try {
    frame = JSON.parse(text);
  } catch (error) {
    return { kind: 'invalid', reason: `the frame is not JSON (${(error as Error).message})` };
  }
  if (!isObject(frame))
    return { kind: 'invalid', reason: `the frame must be a JSON object, got ${show(frame)}` };
  const payload = 'data' in frame && 'stream' in frame ? frame.data : frame;
  if (!isObject(payload)) {
    return { kind: 'invalid', reason: `the frame's data must be a trade event object, got ${show(payload)}` };
  }
  // Binance announces maintenance this way; the connection is about to close, so the caller reconnects early.
  if (payload.e === 'serverShutdown') return { kind: 'server-shutdown' };
  if (payload.e !== 'trade') {
    return { kind: 'invalid', reason: `expected a trade event ("e":"trade"), got "e":${show(payload.e)}` };
  }
  const record = toRecord(payload.s, payload.t, payload.T, payload.p, payload.q, { id: 't', time: 'T' });
  return record.ok ? { kind: 'trade', record: record.record } : { kind: 'invalid', reason: record.reason };
}

/**
 * Reads one row of `GET /api/v3/historicalTrades` (`{id, price, qty, quoteQty, time, isBuyerMaker,
 * isBestMatch}`) for `symbol`, which the row does not repeat.
 */
export function parseHistoricalTrade(symbol: string, row: unknown): HistoricalTrade {
  if (!isObject(row)) return { ok: false, reason: `a historical trade must be an object, got ${show(row)}` };
  return toRecord(symbol, row.id, row.time, row.price, row.qty, {
    id: 'id',
    time: 'time',
    price: 'price',
    qty: 'qty',
  });
}

interface FieldNames {
  id: string;
  time: string;
  price?: string;
  qty?: string;
}

function toRecord(
  symbol: unknown,
  id: unknown,
  time: unknown,
  price: unknown,
  qty: unknown,
  names: FieldNames,
): HistoricalTrade {
  const priceName = names.price ?? 'p';
  const qtyName = names.qty ?? 'q';
  if (typeof price !== 'string' || !DECIMAL.test(price)) {
    return { ok: false, reason: `the price "${priceName}" must be a decimal string, got ${show(price)}` };
  }
  if (typeof qty !== 'string' || !DECIMAL.test(qty)) {
    return { ok: false, reason: `the quantity "${qtyName}" must be a decimal string, got ${show(qty)}` };
  }
  if (id === undefined) return { ok: false, reason: `the trade id "${names.id}" is missing` };
  if (time === undefined) return { ok: false, reason: `the trade time "${names.time}" is missing` };
  const checked = validateRecord({
    series: typeof symbol === 'string' ? symbol.toUpperCase() : symbol,
    seq: id,
    ts: time,
    value: Number(price),
    qty: Number(qty),
  });
  if (checked.ok) return checked;
  // Name the Binance field behind the record field, so the reason points at what the frame got wrong.
  return {
    ok: false,
    reason: `${checked.reason} (from the trade's ${binanceFieldOf(checked.reason, names)})`,
  };
}

function binanceFieldOf(reason: string, names: FieldNames): string {
  if (reason.startsWith('series')) return 'symbol "s"';
  if (reason.startsWith('seq')) return `id "${names.id}"`;
  if (reason.startsWith('ts')) return `time "${names.time}"`;
  if (reason.startsWith('value')) return `price "${names.price ?? 'p'}"`;
  return `quantity "${names.qty ?? 'q'}"`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
