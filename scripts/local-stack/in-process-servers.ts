/**
 * The servers that run inside the stack's own Node process: SQS (`local-aws-sqs`), DynamoDB (`dynalite`) and
 * Cosmos DB (`@vercel/cosmosdb-server`). All in memory, all on a port of their own choosing unless one is preferred.
 */
import { createServer, type Server } from 'node:http';
import { createHttpsServer } from '@vercel/cosmosdb-server';
import dynalite from 'dynalite';
import { createRequestHandler } from 'local-aws-sqs';
import { listenPreferring } from '../machine/free-port.ts';

export interface InProcessServer {
  /** The URL the SDK is given as its endpoint. */
  endpoint: string;
  close(): Promise<void>;
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    // SDK clients keep connections alive; without this, close() waits for them to time out.
    server.closeAllConnections();
  });
}

export async function startSqsServer(
  host: string,
  region: string,
  preferredPort?: number,
): Promise<InProcessServer> {
  // Our own http.Server around the library's handler, so a taken port is an error we can handle (the library's
  // `createSqsServer` leaves listen errors unhandled) and the queue URLs it hands out carry the port it got.
  const { service, requestHandler } = createRequestHandler({
    port: 0,
    hostname: host,
    region,
    // Tests delete and recreate queues; real SQS makes you wait 60 s, which would only slow them down.
    emulateQueueCreationLifecycle: false,
  });
  const server = createServer((request, response) => void requestHandler(request, response));
  const port = await listenPreferring(server, host, preferredPort);
  service.PORT = port;
  return { endpoint: `http://${host}:${port}`, close: () => closeServer(server) };
}

export async function startDynamoServer(host: string, preferredPort?: number): Promise<InProcessServer> {
  // Tables become ACTIVE at once: the 500 ms CREATING phase only slows tests down.
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const port = await listenPreferring(server, host, preferredPort);
  return { endpoint: `http://${host}:${port}`, close: () => closeServer(server) };
}

/**
 * The Cosmos server speaks HTTPS only with a self-signed certificate; clients trust it per endpoint (see
 * `shared/clouds/azure/clients.ts`), never by turning off TLS verification for the process.
 */
export async function startCosmosServer(host: string, preferredPort?: number): Promise<InProcessServer> {
  const server = createHttpsServer();
  const port = await listenPreferring(server, host, preferredPort);
  return { endpoint: `https://${host}:${port}/`, close: () => closeServer(server) };
}
