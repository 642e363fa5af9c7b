/**
 * The three clouds' stores from one settings object, for whoever must see them all: each cloud's sync (which
 * pulls the other two), and the CLI's sync, export and verify. Clients are built only for the clouds asked for.
 */

import type { AggregateStore, Origin } from '../core/index.ts';
import type { StoreSettings } from './settings.ts';

export interface CloudStores {
  store: AggregateStore;
  close(): void | Promise<void>;
}

/**
 * Loads a cloud's adapters (and so its SDK) only when asked: a function bundle's ingest path never pays for the
 * other two clouds' SDKs, which its sync loads on its first run.
 */
export async function createStores(origin: Origin, settings: StoreSettings): Promise<CloudStores> {
  switch (origin) {
    case 'aws':
      return (await import('./aws/aws-stores.ts')).createAwsStores(settings.aws);
    case 'gcp':
      return (await import('./gcp/gcp-stores.ts')).createGcpStores(settings.gcp);
    case 'azure':
      return (await import('./azure/azure-stores.ts')).createAzureStores(settings.azure);
  }
}
