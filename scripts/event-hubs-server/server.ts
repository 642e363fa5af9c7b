/**
 * Our local Event Hubs: an AMQP 1.0 server on rhea that the official `@azure/event-hubs` client reaches with a
 * connection string carrying `UseDevelopmentEmulator=true` (plain TCP, no TLS, the port from the endpoint).
 * It keeps events in memory and accepts any credentials: it is for development and tests, never for production.
 */
import type { Server, Socket } from 'node:net';
import type { Connection, EventContext } from 'rhea';
import rhea from 'rhea';
import type { EventHubSpec } from './event-hub.ts';
import { EventHubsNamespace } from './event-hubs-namespace.ts';
import { LinkRouter } from './link-router.ts';

export type { EventHubSpec } from './event-hub.ts';

export interface EventHubsServerOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Interface to listen on; default 127.0.0.1. */
  host?: string;
  hubs: EventHubSpec[];
  /** Cap on events kept per partition; the oldest go first. Default 100 000. */
  retentionPerPartition?: number;
}

export interface RunningEventHubsServer {
  port: number;
  /** A connection string for `hub` that the SDK accepts, e.g. for `new EventHubProducerClient(…)`. */
  connectionString(hub: string): string;
  /** Closes every client connection and stops listening. */
  close(): Promise<void>;
}

const defaultRetentionPerPartition = 100_000;
/**
 * The Standard tier's limit on one publish — a single event or a batch — of 1 MB (1,048,576 bytes): the link reports
 * it (the SDK sizes `EventDataBatch` by it) and a larger transfer is rejected with `amqp:link:message-size-exceeded`.
 */
const maxMessageBytes = 1024 * 1024;
/** How long close() lets clients answer the AMQP close before cutting their sockets. */
const closeGraceMs = 1_000;

function advertisedHost(host: string): string {
  return host === '0.0.0.0' || host === '::' ? 'localhost' : host;
}

function listening(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    const address = server.address();
    if (typeof address === 'object' && address !== null) return resolve(address.port);
    server.once('error', reject);
    server.once('listening', () => {
      server.off('error', reject);
      const bound = server.address();
      if (typeof bound === 'object' && bound !== null) resolve(bound.port);
      else reject(new Error('The Event Hubs server reported no TCP address.'));
    });
  });
}

/**
 * Starts the server and resolves once it listens.
 *
 * @example
 * const server = await startEventHubsServer({ hubs: [{ name: 'records', partitions: 4, consumerGroups: [] }] });
 * const producer = new EventHubProducerClient(server.connectionString('records'));
 * // …
 * await producer.close();
 * await server.close();
 */
export async function startEventHubsServer(opts: EventHubsServerOptions): Promise<RunningEventHubsServer> {
  const host = opts.host ?? '127.0.0.1';
  const namespace = new EventHubsNamespace(
    opts.hubs,
    opts.retentionPerPartition ?? defaultRetentionPerPartition,
  );
  const router = new LinkRouter(namespace, maxMessageBytes);
  const container = rhea.create_container({ id: 'tricloud-local-event-hubs' });
  // The SDK authenticates with SASL ANONYMOUS and then $cbs tokens; other AMQP clients may use PLAIN.
  container.sasl_server_mechanisms.enable_anonymous();
  container.sasl_server_mechanisms.enable_plain(() => true);
  router.listenTo(container);

  const connections = new Set<Connection>();
  container.on('connection_open', (context: EventContext) => connections.add(context.connection));
  container.on('connection_close', (context: EventContext) => connections.delete(context.connection));
  container.on('disconnected', (context: EventContext) => connections.delete(context.connection));
  // A misbehaving client must not stop the server: its own connection fails, the others carry on.
  container.on('error', () => {});
  container.on('protocol_error', () => {});
  container.on('connection_error', () => {});

  const server = container.listen({
    port: opts.port ?? 0,
    host,
    receiver_options: { autoaccept: false, max_message_size: maxMessageBytes },
    sender_options: { max_message_size: maxMessageBytes },
  });
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  const port = await listening(server);

  return {
    port,
    connectionString(hub: string): string {
      return (
        `Endpoint=sb://${advertisedHost(host)}:${port};SharedAccessKeyName=local;SharedAccessKey=local;` +
        `UseDevelopmentEmulator=true;EntityPath=${hub}`
      );
    },
    async close(): Promise<void> {
      router.stopAllStreams();
      for (const connection of connections) connection.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // rhea writes the close frame on the next tick; ending the sockets after that lets it reach the client.
      await new Promise((resolve) => setImmediate(resolve));
      for (const socket of sockets) socket.end();
      const cutOff = setTimeout(() => {
        for (const socket of sockets) socket.destroy();
      }, closeGraceMs);
      cutOff.unref();
      await closed;
      clearTimeout(cutOff);
    },
  };
}
