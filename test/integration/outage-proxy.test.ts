/**
 * The outage proxy that chaos runs and producer tests use: while cut, a cloud's servers refuse connections; once
 * restored, the same endpoints answer again with the data they held before.
 */
import net from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { proxyCloud, startOutageProxy } from '../../scripts/local-stack/outage-proxy.ts';
import { createStores } from '../../shared/clouds/all-stores.ts';
import { systemClock } from '../../shared/clouds/system-clock.ts';
import { readCloudSettings } from '../../shared/config/environment.ts';
import { createIngest, ORIGINS, parseWindows, windowId } from '../../shared/core/index.ts';
import { useStackEnv } from '../helpers/cloud-harness.ts';
import { messagesOf, record, T0 } from '../helpers/records.ts';

const closers: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const close of closers.reverse()) await close();
});

/** A server that answers each connection with one line, so a test can tell whether it got through. */
async function greeter(): Promise<net.Server> {
  const server = net.createServer((socket) => socket.end('hello\n'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise((resolve) => server.close(resolve)));
  return server;
}

function greet(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let text = '';
    socket.on('data', (chunk) => {
      text += chunk.toString();
    });
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
  });
}

describe('an outage proxy', () => {
  it('forwards, refuses connections while cut, and forwards again on the same port once restored', async () => {
    const server = await greeter();
    const proxy = await startOutageProxy({
      host: '127.0.0.1',
      port: (server.address() as net.AddressInfo).port,
    });
    closers.push(() => proxy.close());
    const port = proxy.port;

    expect(await greet(port)).toBe('hello\n');
    await proxy.cut();
    expect(proxy.isCut).toBe(true);
    await expect(greet(port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await proxy.restore();
    expect(proxy.port).toBe(port);
    expect(await greet(port)).toBe('hello\n');
  });

  it('drops connections that are open when it is cut', async () => {
    const server = net.createServer(() => {});
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise((resolve) => server.close(resolve)));
    const proxy = await startOutageProxy({
      host: '127.0.0.1',
      port: (server.address() as net.AddressInfo).port,
    });
    closers.push(() => proxy.close());
    const socket = net.connect(proxy.port, '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.on('error', () => {});
    await proxy.cut();
    await closed;
    expect(socket.destroyed).toBe(true);
  });
});

describe.each(ORIGINS)('a cloud outage of %s', (cloud) => {
  it('keeps the store’s data across a cut and a restore, reached through the same endpoints', async () => {
    const stackEnv = useStackEnv();
    const outage = await proxyCloud(cloud, stackEnv);
    closers.push(() => outage.close());
    expect(outage.env).not.toEqual(stackEnv);
    // Firestore's client prefers FIRESTORE_EMULATOR_HOST in the environment to its settings (see proxyCloud).
    Object.assign(process.env, outage.env);
    closers.push(async () => Object.assign(process.env, stackEnv));
    const { store, close } = await createStores(cloud, readCloudSettings(outage.env));
    closers.push(async () => close());

    const records = [1, 2, 3].map((seq) => record({ series: `outage-proxy-${cloud}`, seq, ts: T0 + seq }));
    const ingest = createIngest(
      { store, deadLetters: { put: async () => {} }, clock: systemClock },
      { origin: cloud, windows: parseWindows('1m') },
    );
    expect((await ingest(messagesOf(records))).failedMessageIds).toEqual([]);
    const id = windowId({
      series: records[0]!.series,
      window: '1m',
      start: Math.floor(T0 / 60_000) * 60_000,
    });
    await outage.cut();
    expect(outage.proxies.length).toBe(2);
    for (const proxy of outage.proxies) {
      await expect(greet(proxy.port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    }
    await outage.restore();
    const found = await store.read([id]);
    expect(found.get(id)?.merged.aggregate.count).toBe(3);
  });
});
