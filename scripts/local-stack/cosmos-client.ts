/**
 * A `CosmosClient` built from the env contract. A local Cosmos server (`@vercel/cosmosdb-server`, Microsoft's
 * emulator) serves HTTPS with a self-signed certificate; when the settings say to trust it, this client alone gets
 * an https.Agent that skips verification. The process keeps verifying TLS for everything else: no
 * `NODE_TLS_REJECT_UNAUTHORIZED=0`.
 */
import https from 'node:https';
import { CosmosClient } from '@azure/cosmos';
import type { AzureSettings } from '../../shared/config/local-env.ts';

export type CosmosConnection = Pick<
  AzureSettings,
  'cosmosEndpoint' | 'cosmosKey' | 'cosmosTrustSelfSignedCertificate'
>;

export function createCosmosClient(connection: CosmosConnection): CosmosClient {
  if (!connection.cosmosTrustSelfSignedCertificate) {
    return new CosmosClient({ endpoint: connection.cosmosEndpoint, key: connection.cosmosKey });
  }
  return new CosmosClient({
    endpoint: connection.cosmosEndpoint,
    key: connection.cosmosKey,
    agent: new https.Agent({ rejectUnauthorized: false, keepAlive: true }),
    // A local server has one region: asking it for others only adds round trips.
    connectionPolicy: { enableEndpointDiscovery: false },
  });
}
