/**
 * What the error translators' tests check of every store: a permanent refusal names its reason, starts with what
 * was being done, is a full sentence quoting the store, and keeps the store's error as its cause; and the local
 * endpoints that make an SDK fail as a network does (a refused port, a server that never answers).
 */
import net from 'node:net';
import { expect } from 'vitest';
import { PermanentStoreError } from '../../shared/core/index.ts';

export const what = 'writing document S|1m|0 at revision 0';

export function expectPermanent(
  error: unknown,
  reason: PermanentStoreError['reason'],
  ...words: RegExp[]
): void {
  expect(error).toBeInstanceOf(PermanentStoreError);
  const permanent = error as PermanentStoreError;
  expect(permanent.reason).toBe(reason);
  expect(permanent.message.startsWith(what)).toBe(true);
  // A full sentence, naming the store's own words and what to do.
  expect(permanent.message).toMatch(/\.$/);
  for (const word of words) expect(permanent.message).toMatch(word);
  expect(permanent.cause).toBeInstanceOf(Error);
}

/** A port on 127.0.0.1 that refuses connections: one a server just gave up. */
export async function refusingPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A server that takes connections and never answers, for a client's request timeout; close it after. */
export async function silentServer(): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => sockets.add(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** A server that resets every connection as soon as a request arrives; close it after. */
export async function resettingServer(): Promise<{ port: number; close: () => Promise<void> }> {
  const server = net.createServer((socket) => socket.on('data', () => socket.resetAndDestroy()));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
