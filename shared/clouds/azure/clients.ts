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

export function createCosmosClient(c: CosmosConnection): CosmosClient {
  if (!c.cosmosTrustSelfSignedCertificate)
    return new CosmosClient({ endpoint: c.cosmosEndpoint, key: c.cosmosKey });
  return new CosmosClient({
    endpoint: c.cosmosEndpoint,
    key: c.cosmosKey,
    agent: new https.Agent({ rejectUnauthorized: false, keepAlive: true }),
    // A local server has one region: asking it for others only adds round trips.
    connectionPolicy: { enableEndpointDiscovery: false },
  });
}
