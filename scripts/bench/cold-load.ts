/**
 * Cold load per deployable: a fresh process loads the function and serves its first invocation against the local
 * stack, bundled (`dist/`, as deployed) against the same code unbundled (the TypeScript source importing from
 * `node_modules`). Median of several fresh processes each; the ratio is the figure.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const root = path.resolve(import.meta.dirname, '..', '..');
const probe = path.join(import.meta.dirname, 'cold-load-probe.mjs');

const cases = [
  {
    name: 'aws-ingest',
    cloud: 'aws',
    bundle: 'dist/aws/ingest/index.mjs',
    source: 'functions/aws/ingest.ts',
  },
  {
    name: 'gcp-functions',
    cloud: 'gcp',
    bundle: 'dist/gcp/functions/index.js',
    source: 'functions/gcp/index.ts',
  },
  {
    name: 'azure-functionapp',
    cloud: 'azure',
    bundle: 'dist/azure/functionapp/index.js',
    source: 'functions/azure/index.ts',
  },
] as const;

/** Asynchronous on purpose: the local stack's in-process servers must keep answering while the probe runs. */
async function coldStart(modulePath: string, cloud: string, env: NodeJS.ProcessEnv): Promise<number> {
  const { stdout: out } = await promisify(execFile)(process.execPath, [probe, modulePath, cloud], {
    env: { ...env, TRICLOUD_LOG_LEVEL: 'error' },
    encoding: 'utf8',
  });
  const last = out.trim().split('\n').pop() ?? '{}';
  return (JSON.parse(last) as { ms: number }).ms;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function benchColdLoad(env: NodeJS.ProcessEnv, runs = 5): Promise<Record<string, number>> {
  const figures: Record<string, number> = {};
  for (const c of cases) {
    const bundled: number[] = [];
    const unbundled: number[] = [];
    // Interleaved, so machine load affects both alike.
    for (let i = 0; i < runs; i++) {
      bundled.push(await coldStart(path.join(root, c.bundle), c.cloud, env));
      unbundled.push(await coldStart(path.join(root, c.source), c.cloud, env));
    }
    figures[`coldLoad.${c.name}.bundledMs`] = median(bundled);
    figures[`coldLoad.${c.name}.unbundledMs`] = median(unbundled);
    figures[`coldLoad.${c.name}.ratio`] = median(unbundled) / median(bundled);
  }
  return figures;
}
