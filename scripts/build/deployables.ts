/**
 * What `npm run build` produces: one bundle per deployable, packaged as its platform expects. Terraform
 * (`infra/*`) and the end-to-end tests take these paths.
 */
export interface Deployable {
  name: string;
  cloud: 'aws' | 'gcp' | 'azure';
  entry: string;
  /** Folder the bundle is written to, under `dist/`. */
  outDir: string;
  /** Bundle file name inside `outDir`. */
  outFile: string;
  /** The zip the platform deploys, under `dist/`. */
  zip: string;
  /**
   * Modules the platform provides at run time and that must be the platform's own instance: Cloud Functions'
   * framework (our registrations must reach the framework that serves requests), the Azure worker's core API.
   */
  external: string[];
  /** Extra files of the package: name → contents. */
  files: Record<string, string>;
  /**
   * Modules the code-cache training imports after the load (`code-cache.ts`): those its functions import on demand
   * on their first call (the stores that `createStores` loads), so the cache covers their load too, and code that a
   * first call runs or not depending on what the servers answer (`answer-dependent-paths.ts`), so every build's
   * cache holds it.
   */
  warmUp: string[];
}

const stores = {
  aws: 'shared/clouds/aws/aws-stores.ts',
  gcp: 'shared/clouds/gcp/gcp-stores.ts',
  azure: 'shared/clouds/azure/azure-stores.ts',
};
const answerDependentPaths = 'scripts/build/answer-dependent-paths.ts';

const esmPackage = (extra: Record<string, unknown> = {}) =>
  `${JSON.stringify({ type: 'module', ...extra }, null, 2)}\n`;

export const deployables: Deployable[] = [
  {
    name: 'aws-ingest',
    cloud: 'aws',
    entry: 'functions/aws/ingest.ts',
    outDir: 'aws/ingest',
    outFile: 'index.mjs',
    zip: 'aws/ingest.zip',
    external: [],
    files: {},
    warmUp: [],
  },
  {
    name: 'aws-sync',
    cloud: 'aws',
    entry: 'functions/aws/sync.ts',
    outDir: 'aws/sync',
    outFile: 'index.mjs',
    zip: 'aws/sync.zip',
    external: [],
    files: {},
    // Its first call goes through Google's clients.
    warmUp: [stores.aws, stores.gcp, stores.azure, answerDependentPaths],
  },
  {
    name: 'aws-read',
    cloud: 'aws',
    entry: 'functions/aws/read.ts',
    outDir: 'aws/read',
    outFile: 'index.mjs',
    zip: 'aws/read.zip',
    external: [],
    files: {},
    warmUp: [],
  },
  {
    name: 'gcp-functions',
    cloud: 'gcp',
    entry: 'functions/gcp/index.ts',
    outDir: 'gcp/functions',
    outFile: 'index.js',
    zip: 'gcp/functions.zip',
    external: ['@google-cloud/functions-framework'],
    files: {
      // The buildpack installs the framework the runtime serves requests with; our bundle registers into it.
      'package.json': esmPackage({
        name: 'tricloud-gcp-functions',
        main: 'index.js',
        engines: { node: '22' },
        dependencies: { '@google-cloud/functions-framework': '^5.0.5' },
      }),
    },
    // Ingest loads its own store with the bundle. The other clouds' stores, which only sync opens, stay out of the
    // cache: every ingest cold start would deserialize ≈ 1.9 MB more (≈ 10 ms) for sync's, which runs every minute
    // on an instance that therefore rarely starts cold. Its first call goes through Firestore's client.
    warmUp: [answerDependentPaths],
  },
  {
    name: 'azure-functionapp',
    cloud: 'azure',
    entry: 'functions/azure/index.ts',
    outDir: 'azure/functionapp',
    outFile: 'index.js',
    zip: 'azure/functionapp.zip',
    external: ['@azure/functions-core'],
    files: {
      'package.json': esmPackage({ name: 'tricloud-azure-functions', main: 'index.js' }),
      'host.json': `${JSON.stringify(
        {
          version: '2.0',
          extensionBundle: { id: 'Microsoft.Azure.Functions.ExtensionBundle', version: '[4.*, 5.0.0)' },
          extensions: { eventHubs: { maxEventBatchSize: 100, batchCheckpointFrequency: 1 } },
          logging: { logLevel: { default: 'Information' } },
        },
        null,
        2,
      )}\n`,
    },
    // Ingest loads its own store with the bundle. The other clouds' stores, which only sync opens, stay out of the
    // cache: every ingest cold start would deserialize ≈ 1.9 MB more (≈ 10 ms) for sync's, which runs every minute
    // on an instance that therefore rarely starts cold.
    warmUp: [],
  },
];
