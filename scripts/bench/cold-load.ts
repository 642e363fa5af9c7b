/**
 * Cold load per deployable: a fresh process loads the function and serves its first invocation against the local
 * stack. Four forms of the same code, interleaved so machine load affects them alike:
 *   - `bundled`: the deployed package from `dist/`, loaded with its code cache (`scripts/build/app-loader.ts`);
 *   - `no cache`: the same package without its code cache — what runs wherever V8 refuses the cache;
 *   - `compiled`: our code compiled to JavaScript, every dependency imported from `node_modules` as installed — what
 *     a deployment without a bundler ships, and the baseline of the ratios;
 *   - `source`: the TypeScript sources run by Node, which also pays for its TypeScript loader.
 * Every form runs under the Node options its platform starts functions with. Each figure is the median of several
 * processes, split into the platform's start, loading the code and the first call (see `cold-load-probe.mjs`), in
 * wall time and in the process's CPU time (which other work on the machine disturbs less).
 */
import { execFile } from 'node:child_process';
import { cp, readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { type Deployable, deployables } from '../build/deployables.ts';
import type { Report } from './report.ts';

const root = path.resolve(import.meta.dirname, '..', '..');
const probe = path.join(import.meta.dirname, 'cold-load-probe.mjs');
/** Inside the repository, so the compiled code finds `node_modules` the way an unbundled deployment does. */
const cacheDir = path.join(root, 'node_modules', '.cache', 'tricloud', 'cold-load');

interface Phases {
  start: number;
  load: number;
  call: number;
  total: number;
  cpuStart: number;
  cpuLoad: number;
  cpuCall: number;
  codeCache: string;
}
const FORMS = ['bundled', 'noCache', 'compiled', 'source'] as const;
type Form = (typeof FORMS)[number];

/** Our code as plain JavaScript: one module per entry (split at dynamic imports), packages left to `node_modules`. */
async function compile(d: Deployable): Promise<string> {
  const outdir = path.join(cacheDir, d.name);
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

/** The built package without its code cache, beside the compiled code (so it finds the same `node_modules`). */
async function withoutCodeCache(d: Deployable): Promise<string> {
  const dir = path.join(cacheDir, `${d.name}-no-cache`);
  await rm(dir, { recursive: true, force: true });
  await cp(path.join(root, 'dist', d.outDir), dir, { recursive: true });
  for (const f of await readdir(dir)) if (f.endsWith('.cache')) await rm(path.join(dir, f));
  return path.join(dir, d.outFile);
}

/**
 * How each platform starts Node for a function, from its runtime's own start script: Lambda's bootstrap passes
 * `--expose-gc` and heap sizes from the function's memory (new space a tenth, half of it per semi-space, the rest
 * old space; memory from infra/aws/*.tf); Google's buildpacks set `--max-old-space-size` to 80 % of the memory in
 * NODE_OPTIONS (512M, infra/gcp/functions.tf). The Azure Functions host adds none of its own.
 */
function platformNode(d: Deployable): { args: string[]; env: NodeJS.ProcessEnv } {
  if (d.cloud === 'aws') {
    const memory = d.name === 'aws-read' ? 256 : 512;
    const newSpace = Math.floor(memory / 10);
    const heap = [
      `--max-semi-space-size=${Math.floor(newSpace / 2)}`,
      `--max-old-space-size=${memory - newSpace}`,
    ];
    return { args: ['--expose-gc', '--max-http-header-size', '81920', ...heap], env: {} };
  }
  if (d.cloud === 'gcp')
    return { args: [], env: { NODE_OPTIONS: `--max-old-space-size=${Math.floor((512 * 80) / 100)}` } };
  return { args: [], env: {} };
}

/** Asynchronous on purpose: the local stack's in-process servers must keep answering while the probe runs. */
async function coldStart(modulePath: string, d: Deployable, env: NodeJS.ProcessEnv): Promise<Phases> {
  const node = platformNode(d);
  const { stdout } = await promisify(execFile)(process.execPath, [...node.args, probe, modulePath, d.name], {
    env: { ...env, ...node.env, TRICLOUD_LOG_LEVEL: 'error' },
    encoding: 'utf8',
  });
  return JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as Phases;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function benchColdLoad(env: NodeJS.ProcessEnv, report: Report, runs = 11): Promise<void> {
  for (const d of deployables) {
    const forms: Record<Form, string> = {
      bundled: path.join(root, 'dist', d.outDir, d.outFile),
      noCache: await withoutCodeCache(d),
      compiled: await compile(d),
      source: path.join(root, d.entry),
    };
    // Not counted: sync's first pass reads everything the other clouds changed since its last run.
    await coldStart(forms.bundled, d, env);
    const runsOf = Object.fromEntries(FORMS.map((f) => [f, [] as Phases[]])) as Record<Form, Phases[]>;
    // Each round starts with the next form: a process runs while the local stack's servers still finish the last
    // one's writes, so no form may always follow the same one (the heaviest, the TypeScript source, came before the
    // bundle in every round).
    for (let i = 0; i < runs; i++)
      for (let k = 0; k < FORMS.length; k++) {
        const form = FORMS[(i + k) % FORMS.length]!;
        runsOf[form].push(await coldStart(forms[form], d, env));
      }
    const refused = runsOf.bundled.find((p) => p.codeCache !== 'accepted');
    if (refused)
      throw new Error(
        `${d.name}: the bundle's code cache was ${refused.codeCache}; rebuild with npm run build (Node 22) before measuring`,
      );
    await reportDeployable(d, runsOf, report);
  }
}

/**
 * Medians, and the best of the runs: on a machine others are using, waiting for a core only ever adds, so the
 * fastest run of each form is the nearest to its own cost, and the ratio of the two forms' best runs the steadiest.
 */
async function reportDeployable(
  d: Deployable,
  runsOf: Record<Form, Phases[]>,
  report: Report,
): Promise<void> {
  type Phase = Exclude<keyof Phases, 'codeCache'>;
  const m = (form: Form, phase: Phase) => median(runsOf[form].map((p) => p[phase]));
  const best = (form: Form, phase: Phase) => Math.min(...runsOf[form].map((p) => p[phase]));
  const cpu = (form: Form) => m(form, 'cpuStart') + m(form, 'cpuLoad') + m(form, 'cpuCall');
  const key = `coldLoad.${d.name}`;
  const ms = (name: string, label: string, value: number) =>
    report(`${key}.${name}`, `${d.name} ${label}`, value, 'ms');
  const ratio = (name: string, label: string, form: Form, phase: Phase | 'cpu', pick = m) =>
    report(
      `${key}.${name}`,
      `${d.name} ${label}`,
      phase === 'cpu' ? cpu('compiled') / cpu(form) : pick('compiled', phase) / pick(form, phase),
      '×',
    );
  const names: Record<Form, string> = {
    bundled: 'bundled',
    noCache: 'bundled, no code cache',
    compiled: 'compiled, node_modules',
    source: 'TypeScript source, node_modules',
  };
  for (const form of FORMS) {
    ms(`${form}Ms`, `${names[form]}: total`, m(form, 'total'));
    if (form === 'source') continue;
    ms(`${form}BestMs`, '  best run', best(form, 'total'));
    ms(`${form}StartMs`, '  platform start', m(form, 'start'));
    ms(`${form}LoadMs`, '  load', m(form, 'load'));
    ms(`${form}CallMs`, '  first call', m(form, 'call'));
    ms(`${form}CpuMs`, '  CPU time, all phases', cpu(form));
  }
  const dir = path.join(root, 'dist', d.outDir);
  const cache = (await readdir(dir)).find((f) => f.endsWith('.cache'));
  if (cache)
    report(
      `${key}.codeCacheBytes`,
      `${d.name} code cache`,
      (await stat(path.join(dir, cache))).size / 1024,
      'KiB',
    );
  ratio('ratio', 'ratio, whole cold start (compiled / bundled)', 'bundled', 'total');
  ratio('bestRatio', '  best runs', 'bundled', 'total', best);
  ratio('loadRatio', '  load', 'bundled', 'load');
  ratio('bestLoadRatio', '  load, best runs', 'bundled', 'load', best);
  ratio('callRatio', '  first call', 'bundled', 'call');
  ratio('bestCallRatio', '  first call, best runs', 'bundled', 'call', best);
  ratio('cpuRatio', '  CPU time', 'bundled', 'cpu');
  ratio('noCacheRatio', 'ratio without the code cache', 'noCache', 'total');
  ratio('noCacheBestRatio', '  best runs', 'noCache', 'total', best);
  const sourceRatio = m('source', 'total') / m('bundled', 'total');
  report(`${key}.sourceRatio`, `${d.name} ratio, TypeScript source / bundled`, sourceRatio, '×');
}
