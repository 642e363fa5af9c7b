/**
 * A page kept open in headless Chromium and read while it runs, through the DevTools protocol: for pages that change
 * without a reload (the live status page), which a one-shot `--dump-dom` cannot watch. Real time, not virtual time:
 * the page's timers and requests run as they would for a person, and tests poll with a deadline.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { eventually } from '../helpers/eventually.ts';
import { PROFILE_REMOVAL } from './headless-chromium.ts';

export interface DevtoolsPage {
  /** Evaluates `expression` in the page and returns its value (JSON-serialisable). */
  evaluate<T>(expression: string): Promise<T>;
  close(): Promise<void>;
}

/** Starts Chromium on a blank page, navigates to `url`, and keeps the page open until `close()`. */
export async function openPage(chromium: string, url: string): Promise<DevtoolsPage> {
  const profile = await mkdtemp(path.join(tmpdir(), 'tricloud-devtools-'));
  const browser = spawn(
    chromium,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-dev-shm-usage',
      `--user-data-dir=${profile}`,
      '--remote-debugging-port=0',
      '--window-size=1400,1000',
      'about:blank',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const exited = new Promise<void>((resolve) => browser.once('exit', () => resolve()));
  try {
    const socket = await connect(await pageSocketUrl(browser));
    await socket.send('Page.navigate', { url });
    return {
      async evaluate<T>(expression: string): Promise<T> {
        const reply = (await socket.send('Runtime.evaluate', { expression, returnByValue: true })) as {
          result: { value: T };
          exceptionDetails?: { text: string; exception?: { description?: string } };
        };
        if (reply.exceptionDetails) {
          throw new Error(reply.exceptionDetails.exception?.description ?? reply.exceptionDetails.text);
        }
        return reply.result.value;
      },
      async close() {
        socket.close();
        browser.kill();
        await exited;
        await rm(profile, PROFILE_REMOVAL);
      },
    };
  } catch (error) {
    browser.kill();
    await exited;
    await rm(profile, PROFILE_REMOVAL);
    throw error;
  }
}

/** The page target's DevTools socket: Chromium prints its browser socket on stderr, and lists pages over HTTP. */
async function pageSocketUrl(browser: ChildProcess): Promise<string> {
  let stderr = '';
  browser.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const listening = await eventually(
    async () => /DevTools listening on ws:\/\/([^/\s]+)\//.exec(stderr)?.[1],
    (hostPort) => hostPort !== undefined || browser.exitCode !== null,
    { what: "Chromium's DevTools socket", timeoutMs: 60_000, intervalMs: 100 },
  );
  if (listening === undefined) throw new Error(`Chromium exited before listening:\n${stderr.slice(-2_000)}`);
  const targets = (await (await fetch(`http://${listening}/json/list`)).json()) as {
    type: string;
    webSocketDebuggerUrl: string;
  }[];
  const page = targets.find((t) => t.type === 'page');
  if (!page) throw new Error(`Chromium lists no page target: ${JSON.stringify(targets)}`);
  return page.webSocketDebuggerUrl;
}

interface ProtocolSocket {
  send(method: string, params?: object): Promise<unknown>;
  close(): void;
}

async function connect(url: string): Promise<ProtocolSocket> {
  const socket = new WebSocket(url);
  await new Promise<void>((resolve, reject) => {
    socket.addEventListener('open', () => resolve(), { once: true });
    socket.addEventListener('error', () => reject(new Error(`could not open ${url}`)), { once: true });
  });
  let nextId = 1;
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  socket.addEventListener('message', (event) => {
    const message = JSON.parse(String(event.data)) as {
      id?: number;
      result?: unknown;
      error?: { message: string };
    };
    const pending = message.id === undefined ? undefined : waiting.get(message.id);
    if (!pending) return;
    waiting.delete(message.id!);
    if (message.error) pending.reject(new Error(message.error.message));
    else pending.resolve(message.result);
  });
  return {
    send(method, params = {}) {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        socket.send(JSON.stringify({ id, method, params }));
      });
    },
    close: () => socket.close(),
  };
}
