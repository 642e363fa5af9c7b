/** Free TCP ports for servers we cannot ask to bind port 0 themselves (the Java emulators). */
import net from 'node:net';

/**
 * Asks the kernel for a free port on `host`. Another process may take it before the emulator binds it, so callers
 * retry with a fresh port when the emulator fails to start: a taken port is never fatal.
 */
export function findFreePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.unref();
    probe.once('error', reject);
    probe.listen(0, host, () => {
      const address = probe.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => (port > 0 ? resolve(port) : reject(new Error(`No free port found on ${host}.`))));
    });
  });
}

/** Resolves once `server` listens on `port` (0: any free port) and returns the port it got. */
export function listenOn(server: net.Server, host: string, port = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => reject(error);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      const address = server.address();
      if (typeof address === 'object' && address !== null) resolve(address.port);
      else reject(new Error(`The server on ${host} reported no TCP address.`));
    });
  });
}

/** Listens on `preferredPort`, or on any free port when that one is taken. */
export async function listenPreferring(
  server: net.Server,
  host: string,
  preferredPort?: number,
): Promise<number> {
  if (preferredPort === undefined || preferredPort === 0) return listenOn(server, host, 0);
  try {
    return await listenOn(server, host, preferredPort);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    return listenOn(server, host, 0);
  }
}
