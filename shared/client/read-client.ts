/**
 * The read client applications use (`tricloud/client`): one series' windows from whichever cloud answers, through
 * the read functions' HTTP API, failing over in a configurable order and optionally hedging. It uses only `fetch`
 * and `AbortController`, so it runs in Node and in a browser.
 *
 * @example
 * const client = createReadClient({
 *   endpoints: {
 *     azure: { url: process.env.TRICLOUD_READ_URL_AZURE!, headers: { 'x-functions-key': key } },
 *     gcp: { url: process.env.TRICLOUD_READ_URL_GCP!, headers: async () => ({ authorization: `Bearer ${await idToken()}` }) },
 *   },
 *   order: ['gcp', 'azure'],
 * });
 * for await (const w of client.all({ series: 'BTCUSDT', window: '1m', from: '2026-11-27T09:00:00Z', to: '2026-11-27T10:00:00Z' }))
 *   console.log(w.start, w.close);
 */
import type { Origin } from '../core/origin.ts';
import type { ReadWindow } from '../core/read-windows.ts';
import { type Answered, type Attempt, askInTurn } from './failover.ts';

export type { ReadWindow } from '../core/read-windows.ts';
export { NoCloudAnswered } from './failover.ts';

export interface ReadEndpoint {
  /** The read function's URL (`…/windows`, or the function URL's root: `/windows` is appended when absent). */
  url: string;
  /** What the endpoint's authentication takes: a function key, a bearer token, or a signer called per request. */
  headers?: Record<string, string> | ((url: string) => Promise<Record<string, string>>);
}

export interface ReadClientOptions {
  endpoints: Partial<Record<Origin, ReadEndpoint>>;
  /** The order clouds are asked in; default: the endpoints' order. */
  order?: readonly Origin[];
  /** How long a cloud may take before the next is asked (default 3,000 ms). */
  deadlineMs?: number;
  /** Ask the next cloud too after this long, and take whichever answers first. */
  hedgeAfterMs?: number;
  fetch?: typeof fetch;
}

export interface WindowsRequest {
  series: string;
  window?: string;
  /** ISO 8601 or epoch ms. */
  from?: string | number;
  to?: string | number;
  limit?: number;
  next?: string;
}

export interface ClientPage {
  /** The cloud that answered, and the ones passed on the way, with why. */
  cloud: Origin;
  passed: Attempt[];
  windows: ReadWindow[];
  next?: string;
}

/** The endpoint refused the request itself (400): every cloud would, so no other is asked. */
export class BadReadRequest extends Error {
  readonly parameter: string | undefined;
  readonly final = true;
  constructor(message: string, parameter?: string) {
    super(message);
    this.name = 'BadReadRequest';
    this.parameter = parameter;
  }
}

export const DEFAULT_DEADLINE_MS = 3_000;

export function createReadClient(options: ReadClientOptions) {
  const order = (options.order ?? (Object.keys(options.endpoints) as Origin[])).filter(
    (o) => options.endpoints[o] !== undefined,
  );
  if (order.length === 0) throw new Error('the read client needs at least one endpoint');
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  const failover = {
    deadlineMs: options.deadlineMs ?? DEFAULT_DEADLINE_MS,
    ...(options.hedgeAfterMs === undefined ? {} : { hedgeAfterMs: options.hedgeAfterMs }),
  };

  const askOne = async (cloud: Origin, request: WindowsRequest, signal: AbortSignal) => {
    const endpoint = options.endpoints[cloud]!;
    const url = requestUrl(endpoint.url, request);
    const headers = typeof endpoint.headers === 'function' ? await endpoint.headers(url) : endpoint.headers;
    const response = await doFetch(url, { headers: headers ?? {}, signal });
    const text = await response.text();
    if (response.status === 400) {
      const body = JSON.parse(text) as { error?: string; parameter?: string };
      throw new BadReadRequest(body.error ?? text, body.parameter);
    }
    if (!response.ok) throw new Error(`${cloud} answered ${response.status}: ${text.slice(0, 200)}`);
    return JSON.parse(text) as { windows: ReadWindow[]; next?: string };
  };

  /** One page, from the first cloud that answers. */
  const windows = async (request: WindowsRequest, first?: Origin): Promise<ClientPage> => {
    const clouds = first ? [first, ...order.filter((o) => o !== first)] : order;
    const answer: Answered<{ windows: ReadWindow[]; next?: string }> = await askInTurn(
      clouds,
      (cloud, signal) => askOne(cloud, request, signal),
      failover,
    );
    return { cloud: answer.cloud, passed: answer.passed, ...answer.value };
  };

  /** Every window of the range, page by page; a page may come from another cloud than the last (they agree). */
  async function* all(request: WindowsRequest): AsyncGenerator<ReadWindow> {
    let next = request.next;
    let last: Origin | undefined;
    do {
      const page = await windows({ ...request, ...(next === undefined ? {} : { next }) }, last);
      last = page.cloud;
      yield* page.windows;
      next = page.next;
    } while (next !== undefined);
  }

  return { windows, all, order };
}

function requestUrl(base: string, request: WindowsRequest): string {
  const url = new URL(
    /\/windows\/?$/.test(new URL(base).pathname) ? base : `${base.replace(/\/$/, '')}/windows`,
  );
  url.searchParams.set('series', request.series);
  for (const name of ['window', 'from', 'to', 'limit', 'next'] as const) {
    const value = request[name];
    if (value !== undefined) url.searchParams.set(name, String(value));
  }
  return url.toString();
}
