/**
 * The functions `tricloud dev` runs: the esbuild bundles `npm run build` deploys, not the sources, so a local run
 * exercises what the clouds will load. Bundles every deployable into `dist/` (no zips, code caches of the load
 * only) and imports their handlers.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { Origin, SyncReport } from '../../shared/core/index.ts';
import { bundle } from '../build/bundle.ts';
import { deployables } from '../build/deployables.ts';
import type { IngestHandlers } from '../trigger-hosts/ingest-hosts.ts';
import type { ReadHandlers } from '../trigger-hosts/read-hosts.ts';

const root = path.resolve(import.meta.dirname, '..', '..');

export interface BuiltFunctions {
  ingest: IngestHandlers;
  /** Each cloud's scheduled sync, invoked as its scheduler would (EventBridge event, CloudEvent, Azure timer). */
  sync: Record<Origin, (tick: number) => Promise<SyncReport>>;
  /** Each cloud's read endpoint, for the local read hosts. */
  read: ReadHandlers;
  buildMs: number;
}

type Exports = Record<string, (...args: never[]) => Promise<unknown>>;

export async function loadBuiltFunctions(): Promise<BuiltFunctions> {
  const started = performance.now();
  const built = await Promise.all(deployables.map((d) => bundle(root, d)));
  const buildMs = performance.now() - started;
  const load = async (name: string): Promise<Exports> => {
    const result = built.find((b) => b.deployable.name === name);
    if (!result) throw new Error(`no deployable named ${name} in scripts/build/deployables.ts`);
    return (await import(pathToFileURL(result.file).href)) as Exports;
  };
  // Outside the Functions host, @azure/functions warns that it runs in test mode; that is expected here.
  const warn = console.warn;
  console.warn = () => {};
  let modules: Exports[];
  try {
    modules = await Promise.all(
      ['aws-ingest', 'aws-sync', 'gcp-functions', 'azure-functionapp', 'aws-read'].map(load),
    );
  } finally {
    console.warn = warn;
  }
  const [awsIngest, awsSync, gcp, azure, awsRead] = modules as [Exports, Exports, Exports, Exports, Exports];
  const required = (module: Exports, name: string, deployable: string) => {
    const fn = module[name];
    if (typeof fn !== 'function') throw new Error(`the ${deployable} bundle exports no function '${name}'`);
    return fn as (...args: unknown[]) => Promise<unknown>;
  };
  const awsSyncHandler = required(awsSync, 'handler', 'aws-sync');
  const gcpSync = required(gcp, 'syncTick', 'gcp-functions');
  const azureSync = required(azure, 'syncTimer', 'azure-functionapp');
  return {
    ingest: {
      aws: required(awsIngest, 'handler', 'aws-ingest') as (event: SQSEvent) => Promise<SQSBatchResponse>,
      gcp: required(gcp, 'ingestPubSub', 'gcp-functions') as IngestHandlers['gcp'],
      azure: required(azure, 'ingestEvents', 'azure-functionapp') as IngestHandlers['azure'],
    },
    sync: {
      aws: (tick) => awsSyncHandler({ id: `dev-sync-aws-${tick}` }) as Promise<SyncReport>,
      gcp: (tick) =>
        (gcpSync as (event: object) => Promise<SyncReport>)({
          id: `dev-sync-gcp-${tick}`,
          source: 'dev',
          type: 'google.cloud.pubsub.topic.v1.messagePublished',
          specversion: '1.0',
        }),
      azure: (tick) =>
        azureSync(
          { isPastDue: false, scheduleStatus: {} },
          { invocationId: `dev-sync-azure-${tick}` },
        ) as Promise<SyncReport>,
    },
    read: {
      aws: required(awsRead, 'handler', 'aws-read') as ReadHandlers['aws'],
      // Importing the GCP bundle registered its `read` function with the Functions Framework already.
      gcp: async () => required(gcp, 'readWindowsHttp', 'gcp-functions'),
      azure: required(azure, 'readWindowsHttp', 'azure-functionapp') as ReadHandlers['azure'],
    },
    buildMs,
  };
}
