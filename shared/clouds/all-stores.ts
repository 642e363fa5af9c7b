/**
 * The three clouds' stores from one settings object, for whoever must see them all: each cloud's sync (which
 * pulls the other two), and the CLI's sync, export and verify. Clients are built only for the clouds asked for.
 */
import type { CloudSettings } from '../config/local-env.ts';
import type { AggregateStore, Origin } from '../core/index.ts';
import { createAwsStores } from './aws/aws-stores.ts';
import { createAzureStores } from './azure/azure-stores.ts';
import { createGcpStores } from './gcp/gcp-stores.ts';

export interface CloudStores {
  store: AggregateStore;
  close(): void | Promise<void>;
}

export function createStores(origin: Origin, settings: CloudSettings): CloudStores {
  switch (origin) {
    case 'aws':
      return createAwsStores(settings.aws);
    case 'gcp':
      return createGcpStores(settings.gcp);
    case 'azure':
      return createAzureStores(settings.azure);
  }
}
