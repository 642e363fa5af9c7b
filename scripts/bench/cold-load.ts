/**
 * Cold load per deployable: a fresh process loads the function and serves its first invocation against the local
 * stack. Three forms of the same code, interleaved so machine load affects them alike:
 *   - `bundled`: the deployed bundle from `dist/`;
 *   - `compiled`: our code compiled to JavaScript, every dependency imported from `node_modules` as installed — what
 *     a deployment without a bundler ships, and the baseline of the ratio;
 *   - `source`: the TypeScript sources run by Node, which also pays for its TypeScript loader.
 * Each figure is the median of several processes, split into Node's own start, loading the code and the first
 * call; only loading differs in kind between the forms, so the load ratio is what bundling alone changes.
 */
import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { type Deployable, deployables } from '../build/deployables.ts';
import type { Report } from './report.ts';

const root = path.resolve(import.meta.dirname, '..', '..');
const probe = path.join(import.meta.dirname, 'cold-load-probe.mjs');
/** Inside the repository, so the compiled code finds `node_modules` the way an unbundled deployment does. */
const compiledDir = path.join(root, 'node_modules', '.cache', 'tricloud', 'cold-load');

interface Phases {
  start: number;
  load: number;
  call: number;
  total: number;
}

/** Our code as plain JavaScript: one module per entry (split at dynamic imports), packages left to `node_modules`. */
async function compile(d: Deployable): Promise<string> {
  const outdir = path.join(compiledDir, d.name);
  await rm(outdir, { recursive: true, force: true });
  await build({
    absWorkingDir: root,
    entryPoints: { index: d.entry },
    outdir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    packages: 'external',
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    logLevel: 'warning',
  });
  return path.join(outdir, 'index.mjs');
}

/** Asynchronous on purpose: the local stack's in-process servers must keep answering while the probe runs. */
async function coldStart(modulePath: string, name: string, env: NodeJS.ProcessEnv): Promise<Phases> {
  const { stdout } = await promisify(execFile)(process.execPath, [probe, modulePath, name], {
    env: { ...env, TRICLOUD_LOG_LEVEL: 'error' },
    encoding: 'utf8',
  });
  return JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as Phases;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function benchColdLoad(env: NodeJS.ProcessEnv, report: Report, runs = 5): Promise<void> {
  for (const d of deployables) {
    const forms = {
      bundled: path.join(root, 'dist', d.outDir, d.outFile),
      compiled: await compile(d),
      source: path.join(root, d.entry),
    };
    // Not counted: sync's first pass reads everything the other clouds changed since its last run.
    await coldStart(forms.bundled, d.name, env);
    const runsOf = { bundled: [] as Phases[], compiled: [] as Phases[], source: [] as Phases[] };
    for (let i = 0; i < runs; i++)
      for (const form of ['bundled', 'compiled', 'source'] as const)
        runsOf[form].push(await coldStart(forms[form], d.name, env));
    const m = (form: keyof typeof forms, phase: keyof Phases) => median(runsOf[form].map((p) => p[phase]));
    const key = `coldLoad.${d.name}`;
    const ms = (name: string, label: string, value: number) =>
      report(`${key}.${name}`, `${d.name} ${label}`, value, 'ms');
    ms('bundledMs', 'bundled: total', m('bundled', 'total'));
    ms('bundledStartMs', '  Node start', m('bundled', 'start'));
    ms('bundledLoadMs', '  load', m('bundled', 'load'));
    ms('bundledCallMs', '  first call', m('bundled', 'call'));
    ms('compiledMs', 'compiled, node_modules: total', m('compiled', 'total'));
    ms('compiledLoadMs', '  load', m('compiled', 'load'));
    ms('compiledCallMs', '  first call', m('compiled', 'call'));
    ms('sourceMs', 'TypeScript source, node_modules: total', m('source', 'total'));
    report(
      `${key}.ratio`,
      `${d.name} ratio (compiled / bundled)`,
      m('compiled', 'total') / m('bundled', 'total'),
      '×',
    );
    report(
      `${key}.loadRatio`,
      `${d.name} load ratio (compiled / bundled)`,
      m('compiled', 'load') / m('bundled', 'load'),
      '×',
    );
    report(
      `${key}.sourceRatio`,
      `${d.name} ratio (source / bundled)`,
      m('source', 'total') / m('bundled', 'total'),
      '×',
    );
  }
}
