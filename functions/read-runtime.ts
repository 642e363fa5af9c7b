/**
 * What the three read functions share: `GET /windows?series=…&window=…&from=…&to=…[&limit=…][&next=…]` answered
 * from the cloud's own store through the core's read use case, as
 * `{"cloud": "...", "windows": [ …export objects with exact… ], "next": "..."}` (`next` only when there is more).
 *
 * - Times are ISO 8601 with a zone (`2026-11-27T09:00:00Z`), a UTC date (`2026-11-27`), or epoch milliseconds.
 *   Defaults: `window` 1m, `to` now, `from` one hour before `to`.
 * - 400 with `{"error", "parameter"}` for a bad parameter; 503 with `Retry-After` when the store is unavailable
 *   (a client then asks another cloud); 500 otherwise, with the error's sentence.
 * - Every 200 has a strong `ETag` of its body and answers `If-None-Match` with 304. A range whose windows have
 *   all ended is cacheable (`Cache-Control: public, max-age=300`) — late records may still update a closed window
 *   (DESIGN §2), so five minutes, and revalidation by ETag after; a range reaching into an open window is
 *   `no-cache`.
 *
 * Authentication is the platform's (a Lambda Function URL with IAM auth, a Cloud Function with IAM invoker, an
 * Azure function key), so the handler sees only requests already allowed.
 */
import { createHash } from 'node:crypto';
import { timeRange } from '../shared/client/time.ts';
import type { CloudStores } from '../shared/clouds/all-stores.ts';
import {
  type Origin,
  parseWindow,
  QueryError,
  readWindows,
  UnavailableError,
  windowStart,
} from '../shared/core/index.ts';
import { logInvocation } from '../shared/observability/invocation-log.ts';

export interface ReadRequest {
  /** Query parameters, as the platform parsed them. */
  query: (name: string) => string | undefined;
  ifNoneMatch?: string;
}

export interface ReadAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * The per-request function of one cloud's read endpoint; its store (`open`) is built on first use and reused. Each
 * cloud's entry passes its own store, so that a bundle of the read function alone carries one cloud's SDK.
 */
export function readRuntime(origin: Origin, open: () => CloudStores | Promise<CloudStores>) {
  let own: Promise<CloudStores> | undefined;
  return async (request: ReadRequest, now = Date.now()): Promise<ReadAnswer> => {
    const started = performance.now();
    const answer = await answerRead(origin, request, now, () => {
      own ??= Promise.resolve().then(open);
      return own;
    });
    logInvocation({
      cloud: origin,
      function: 'read',
      level: answer.status >= 500 ? 'error' : answer.status >= 400 ? 'warn' : 'info',
      message: 'read',
      time: Date.now(),
      metrics: { status: answer.status, durationMs: Math.round(performance.now() - started) },
    });
    return answer;
  };
}

async function answerRead(
  origin: Origin,
  request: ReadRequest,
  now: number,
  store: () => Promise<CloudStores>,
): Promise<ReadAnswer> {
  try {
    const window = request.query('window') ?? '1m';
    const { from, to } = timeRange({ from: request.query('from'), to: request.query('to') }, now);
    const limitText = request.query('limit');
    const next = request.query('next');
    const page = await readWindows((await store()).store, {
      series: request.query('series') ?? '',
      window,
      from,
      to,
      ...(limitText === undefined ? {} : { limit: Number(limitText) }),
      ...(next === undefined ? {} : { next }),
    });
    const body = JSON.stringify({ cloud: origin, ...page });
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
    // Ended: every window of the range starts before the window now open.
    const closed = to <= windowStart(now, parseWindow(window).sizeMs);
    const headers = {
      'content-type': 'application/json',
      etag,
      'cache-control': closed ? 'public, max-age=300' : 'no-cache',
    };
    if (request.ifNoneMatch === etag) return { status: 304, headers, body: '' };
    return { status: 200, headers, body };
  } catch (error) {
    return failure(error);
  }
}

function failure(error: unknown): ReadAnswer {
  const json = (status: number, body: object, extra: Record<string, string> = {}): ReadAnswer => ({
    status,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...extra },
    body: JSON.stringify(body),
  });
  if (error instanceof QueryError) return json(400, { error: error.message, parameter: error.parameter });
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  if (error instanceof UnavailableError) return json(503, { error: message }, { 'retry-after': '5' });
  return json(500, { error: message });
}
