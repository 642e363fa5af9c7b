/**
 * Azure clients built from settings. A local Cosmos server (`@vercel/cosmosdb-server`, Microsoft's emulator) serves
 * HTTPS with a self-signed certificate; when the settings say to trust it, this client alone gets an https.Agent
 * that skips verification — the process keeps verifying TLS everywhere else (no `NODE_TLS_REJECT_UNAUTHORIZED`).
 */
import https from 'node:https';
import { CosmosClient } from '@azure/cosmos';

export interface CosmosConnection {
  cosmosEndpoint: string;
  cosmosKey: string;
  cosmosTrustSelfSignedCertificate: boolean;
}

/** The agents this module gave its clients, to close their sockets with them. */
const agents = new WeakMap<CosmosClient, https.Agent>();

export function createCosmosClient(c: CosmosConnection): CosmosClient {
  if (!c.cosmosTrustSelfSignedCertificate)
    return new CosmosClient({ endpoint: c.cosmosEndpoint, key: c.cosmosKey });
  const agent = new https.Agent({ rejectUnauthorized: false, keepAlive: true });
  const client = new CosmosClient({
    endpoint: c.cosmosEndpoint,
    key: c.cosmosKey,
    agent,
    // A local server has one region: asking it for others only adds round trips.
    connectionPolicy: { enableEndpointDiscovery: false },
  });
  agents.set(client, agent);
  return client;
}

/**
 * Stops the client's timers (`dispose`) and closes the kept-alive sockets of the agent this module gave it, which
 * `dispose` leaves open until the server times them out.
 */
export function closeCosmosClient(client: CosmosClient): void {
  client.dispose();
  agents.get(client)?.destroy();
}
