/**
 * Outages on demand, for chaos runs and tests: a TCP proxy in front of a local server. Clients are pointed at the
 * proxy; `cut()` drops every open connection and stops listening, so clients see what a cloud outage looks like
 * from outside (resets, then connection refused), while the server behind keeps its data; `restore()` listens again
 * on the same port. A proxy works for every protocol the stack speaks (HTTP, gRPC, AMQP) and for the Java emulators,
 * which we could not restart without losing their in-memory state.
 */
import net from 'node:net';
import { envNames } from '../../shared/config/environment.ts';
import type { Origin } from '../../shared/core/index.ts';
import { listenOn } from '../machine/free-port.ts';
import { waitUntil } from '../machine/wait-until.ts';

export interface OutageProxy {
  /** Where clients connect instead of the target. */
  readonly host: string;
  readonly port: number;
  /** Whether the proxy is currently down. */
  readonly isCut: boolean;
  /** Drops every connection and refuses new ones until `restore()`. */
  cut(): Promise<void>;
  /** Listens again on the same port (retrying while another process briefly holds it). */
  restore(): Promise<void>;
  /** Stops for good. */
  close(): Promise<void>;
}

export interface Target {
  host: string;
  port: number;
}

/**
 * Starts a proxy on a free port of `host` forwarding to `target`.
 *
 * @example
 * const proxy = await startOutageProxy({ host: '127.0.0.1', port: 8000 });
 * await proxy.cut(); // clients of 127.0.0.1:proxy.port now get ECONNREFUSED
 * await proxy.restore();
 */
export async function startOutageProxy(target: Target, host = '127.0.0.1'): Promise<OutageProxy> {
  const sockets = new Set<net.Socket>();
  let server: net.Server | undefined;
  let port = 0;

  const open = async (): Promise<void> => {
    const next = net.createServer((client) => {
      const upstream = net.connect(target.port, target.host);
      sockets.add(client);
      sockets.add(upstream);
      const drop = () => {
        client.destroy();
        upstream.destroy();
        sockets.delete(client);
        sockets.delete(upstream);
      };
      for (const socket of [client, upstream]) {
        socket.on('error', drop);
        socket.on('close', drop);
      }
      client.pipe(upstream);
      upstream.pipe(client);
    });
    // The port was ours a moment ago; a client's ephemeral port may hold it briefly, so retry for a while.
    port = await waitUntil(() => listenOn(next, host, port), {
      description: `port ${port} on ${host} to be free again for the outage proxy`,
      timeoutMs: 10_000,
      retryable: (error) => (error as NodeJS.ErrnoException).code === 'EADDRINUSE',
    });
    server = next;
  };

  const shut = async (): Promise<void> => {
    const closing = server;
    server = undefined;
    if (!closing) return;
    const closed = new Promise<void>((resolve) => closing.close(() => resolve()));
    for (const socket of sockets) socket.destroy();
    sockets.clear();
    await closed;
  };

  await open();
  return {
    host,
    get port() {
      return port;
    },
    get isCut() {
      return server === undefined;
    },
    cut: shut,
    async restore() {
      if (!server) await open();
    },
    close: shut,
  };
}

/** The proxied endpoints of one cloud, and the env that points clients at them. */
export interface CloudOutage {
  cloud: Origin;
  /** `env` with this cloud's endpoints replaced by the proxies'. */
  env: Record<string, string>;
  /** The proxies, one per service of the cloud. */
  proxies: readonly OutageProxy[];
  /** Takes every service of the cloud down at once, as a regional outage would. */
  cut(): Promise<void>;
  restore(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Puts a proxy in front of each service of `cloud` named in `env` (the env contract of `stack up`) and returns an
 * env whose endpoints go through them. Only this cloud's variables change; the others pass through.
 *
 * Clients in this process must be built from the returned env, and it must also be in `process.env`: Firestore's
 * client gives `FIRESTORE_EMULATOR_HOST` in the environment precedence over the host in its settings.
 */
export async function proxyCloud(cloud: Origin, env: Record<string, string>): Promise<CloudOutage> {
  const rewritten = { ...env };
  const proxies: OutageProxy[] = [];
  const proxy = async (target: Target): Promise<OutageProxy> => {
    const p = await startOutageProxy(target);
    proxies.push(p);
    return p;
  };
  /** Proxies a URL-valued variable; `also` are variables holding URLs on the same origin (queue URLs). */
  const proxyUrl = async (name: string, also: string[] = []) => {
    const value = env[name];
    if (!value) return;
    const url = new URL(value);
    const p = await proxy({ host: url.hostname, port: Number(url.port) });
    for (const key of [name, ...also]) {
      const original = env[key];
      if (!original) continue;
      const u = new URL(original);
      if (u.host !== url.host) continue;
      u.host = `${p.host}:${p.port}`;
      rewritten[key] = key === name ? u.toString().replace(/\/$/, '') : u.toString();
    }
  };
  const proxyHostPort = async (name: string) => {
    const value = env[name];
    if (!value) return;
    const [h, portText] = splitHostPort(value);
    const p = await proxy({ host: h, port: Number(portText) });
    rewritten[name] = `${p.host}:${p.port}`;
  };

  switch (cloud) {
    case 'aws':
      await proxyUrl(envNames.aws.sqsEndpoint, [envNames.aws.queueUrl, envNames.aws.deadLetterQueueUrl]);
      await proxyUrl(envNames.aws.dynamodbEndpoint);
      break;
    case 'gcp':
      await proxyHostPort(envNames.gcp.pubsubEmulatorHost);
      await proxyHostPort(envNames.gcp.firestoreEmulatorHost);
      break;
    case 'azure': {
      await proxyUrl(envNames.azure.cosmosEndpoint);
      const name = envNames.azure.eventHubConnectionString;
      const match = /Endpoint=sb:\/\/([^;/]+)/.exec(env[name] ?? '');
      if (match) {
        const [h, portText] = splitHostPort(match[1]!);
        const p = await proxy({ host: h, port: Number(portText || 5672) });
        rewritten[name] = env[name]!.replace(match[0], `Endpoint=sb://${p.host}:${p.port}`);
      }
      break;
    }
  }
  return {
    cloud,
    env: rewritten,
    proxies,
    cut: async () => {
      await Promise.all(proxies.map((p) => p.cut()));
    },
    restore: async () => {
      await Promise.all(proxies.map((p) => p.restore()));
    },
    close: async () => {
      await Promise.all(proxies.map((p) => p.close()));
    },
  };
}

function splitHostPort(text: string): [string, string] {
  const at = text.lastIndexOf(':');
  return at < 0 ? [text, ''] : [text.slice(0, at), text.slice(at + 1)];
}
