/**
 * An endpoint that takes connections and never answers: a cloud cut off mid-way, which only a deadline detects
 * (a refused connection is quicker to tell). For failover tests and the read bench.
 */
import { type AddressInfo, createServer, type Socket } from 'node:net';

export interface SilentEndpoint {
  url: string;
  close(): void;
}

export async function startSilentEndpoint(): Promise<SilentEndpoint> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => sockets.add(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}
