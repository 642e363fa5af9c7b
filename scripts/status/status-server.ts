/**
 * The live status page: a plain `node:http` server on this machine serving a static page (`status-page.html`,
 * `status-page.js`) and two JSON endpoints the page polls — `/api/status`, the model `tricloud status --json`
 * prints, gathered again every `refreshMs` while the server runs (one gathering at a time, however many pages are
 * open), and `/api/candles?series=S&window=W`, each cloud's newest windows of a series.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Env } from '../../shared/config/environment.ts';
import type { CandleSet } from './candles.ts';
import { describeError } from './deadline.ts';
import { openStatus, type StatusOptions, type StatusSource } from './status-gatherer.ts';
import type { StatusModel } from './status-model.ts';

export const DEFAULT_REFRESH_MS = 3_000;

export interface StatusPageOptions extends StatusOptions {
  /** Default 0: a free port (the URL says which). */
  port?: number;
  /** Default 127.0.0.1: the page shows resource names and errors, so it is not served beyond this machine. */
  host?: string;
  /** How often the model is gathered again, and the page polls; default {@link DEFAULT_REFRESH_MS}. */
  refreshMs?: number;
}

export interface StatusPage {
  url: string;
  close(): Promise<void>;
}

/**
 * Serves the page for the clouds `env` names until `close()`. For `tricloud status --web` and `tricloud dev
 * --keep-running`.
 *
 * @example
 * const page = await serveStatusPage(process.env, { port: 8080 });
 * console.log(`status page: ${page.url}`);
 */
export async function serveStatusPage(env: Env, options: StatusPageOptions = {}): Promise<StatusPage> {
  const source = openStatus(env, options);
  try {
    const page = await startStatusServer(source, options);
    return {
      url: page.url,
      async close() {
        await page.close();
        await source.close();
      },
    };
  } catch (error) {
    await source.close();
    throw error;
  }
}

/** The server around any source of models (the clouds, or a stand-in in tests). */
export async function startStatusServer(
  source: StatusSource,
  options: StatusPageOptions = {},
): Promise<StatusPage> {
  const refreshMs = options.refreshMs ?? DEFAULT_REFRESH_MS;
  const gathering = keepGathering(source, refreshMs);
  const candles = new Map<string, { at: number; set: Promise<CandleSet> }>();
  const candlesOf = (series: string, window: string) => {
    const key = `${series}|${window}`;
    const cached = candles.get(key);
    if (cached && Date.now() - cached.at < refreshMs) return cached.set;
    const set = source.candles(series, window);
    candles.set(key, { at: Date.now(), set });
    set.catch(() => candles.delete(key));
    return set;
  };
  const [html, script] = await Promise.all([
    readFile(path.join(import.meta.dirname, 'status-page.html'), 'utf8'),
    readFile(path.join(import.meta.dirname, 'status-page.js'), 'utf8'),
  ]);
  const page = html.replace('__REFRESH_MS__', String(refreshMs));
  const server = createServer((req, res) => {
    route(req, res, { page, script, latest: gathering.latest, candlesOf }).catch((error: unknown) => {
      send(res, 500, 'text/plain; charset=utf-8', describeError(error));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve);
  });
  const { address, port } = server.address() as AddressInfo;
  return {
    url: `http://${address.includes(':') ? `[${address}]` : address}:${port}/`,
    async close() {
      gathering.stop();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

interface Routes {
  page: string;
  script: string;
  latest(): Promise<StatusModel>;
  candlesOf(series: string, window: string): Promise<CandleSet>;
}

async function route(req: IncomingMessage, res: ServerResponse, routes: Routes): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (req.method !== 'GET') return send(res, 405, 'text/plain; charset=utf-8', 'only GET is served here');
  switch (url.pathname) {
    case '/':
      return send(res, 200, 'text/html; charset=utf-8', routes.page);
    case '/status-page.js':
      return send(res, 200, 'text/javascript; charset=utf-8', routes.script);
    case '/api/status':
      return send(res, 200, 'application/json', JSON.stringify(await routes.latest()));
    case '/api/candles': {
      const series = url.searchParams.get('series');
      const window = url.searchParams.get('window') ?? '1m';
      if (!series)
        return send(res, 400, 'text/plain; charset=utf-8', 'name a series: /api/candles?series=S&window=1m');
      try {
        return send(res, 200, 'application/json', JSON.stringify(await routes.candlesOf(series, window)));
      } catch (error) {
        return send(res, 400, 'text/plain; charset=utf-8', describeError(error));
      }
    }
    default:
      return send(res, 404, 'text/plain; charset=utf-8', `nothing at ${url.pathname}; the page is at /`);
  }
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' }).end(body);
}

/**
 * Gathers, waits `refreshMs`, gathers again, until stopped: one gathering at a time, so a slow cloud slows the
 * refresh instead of piling up checks. `latest()` is the newest model (the first one awaited).
 */
function keepGathering(source: StatusSource, refreshMs: number) {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let latest: Promise<StatusModel> = source.gather();
  const next = (current: Promise<StatusModel>) => {
    current
      .catch(() => undefined)
      .then(() => {
        if (stopped) return;
        timer = setTimeout(() => {
          const gathered = source.gather();
          // The previous model stays current until the next one is in: a page never waits on a slow cloud.
          gathered.then(
            () => {
              latest = gathered;
            },
            () => undefined,
          );
          next(gathered);
        }, refreshMs);
      });
  };
  next(latest);
  return {
    latest: () => latest,
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
