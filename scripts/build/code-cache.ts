/**
 * A bundle's V8 code cache, made at build time (`app-loader.ts` loads the bundle with it). A Node process of its
 * own (`code-cache-training.ts`) loads the bundle as a cold start does, imports what the functions import on
 * demand on their first call, makes that first call against a local stack when it is given one (`FirstCallStack`),
 * and writes the bytecode of every function compiled by then. A cold start then deserializes that bytecode instead of
 * parsing the bundle and compiling each function its load and its first call run.
 *
 * V8 takes a cache only from its own version: it must be made by the Node major the functions run on (22), which
 * is the one `npm run build` runs (node_modules' Node). A cache V8 refuses costs nothing but the compile it
 * would have saved.
 */
import { execFile } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

/** The Node major of every platform's runtime (Terraform: nodejs22.x, nodejs22, Azure node 22). */
export const RUNTIME_NODE_MAJOR = 22;

const training = path.join(import.meta.dirname, 'code-cache-training.ts');
const rewrite = path.join(import.meta.dirname, 'code-cache-rewrite.ts');

export interface CodeCache {
  /** The cache's file name, beside the bundle. */
  file: string;
  bytes: number;
  /** The bundle's export names, for the package's entry. */
  exports: string[];
}

/**
 * Where the training's first call goes: the env contract of a local stack, and nothing else — a first call writes,
 * so it must never reach a cloud.
 */
export interface FirstCallStack {
  env: Record<string, string>;
}

/**
 * Writes the code cache of `app` (a file of the package folder `dir`) as `<app without .cjs>.cache`; with a stack,
 * after `deployable`'s first call against it.
 */
export async function writeCodeCache(
  dir: string,
  app: string,
  deployable: string,
  stack?: FirstCallStack,
): Promise<CodeCache> {
  const major = Number(process.versions.node.split('.')[0]);
  if (major !== RUNTIME_NODE_MAJOR)
    throw new Error(
      `The code cache must be made by Node ${RUNTIME_NODE_MAJOR}, which the functions run on, not ${process.versions.node}: build with npm run build (it uses node_modules' Node ${RUNTIME_NODE_MAJOR}).`,
    );
  const text = await readFile(path.join(dir, app));
  const nonAscii = text.findIndex((byte) => byte > 0x7f);
  if (nonAscii >= 0)
    throw new Error(
      `${app} has a non-ASCII byte at ${nonAscii}; the loader reads it as latin1, so the bundle must stay ASCII (esbuild's default charset)`,
    );
  const file = app.replace(/\.cjs$/, '.cache');
  // No inherited environment: module load must not depend on the builder's settings, and the first call sees only
  // the stack's. The same bundle gives the same cache (so the same zip), whatever the timing of the servers'
  // answers: fixed hash and random seeds; no bytecode ageing (V8 counts each function's major GCs in its bytecode,
  // which the cache carries, and drops bytecode it deems old); no Sparkplug or Maglev (a function they compiled
  // keeps a bit that says so, and whether they get to a function depends on how long the call waited); and the
  // cache written once more by a process that only reads it (`code-cache-rewrite.ts`). V8 rehashes on loading, as
  // it does for any cache, and the loader stamps the flag hash these flags change with the running process's.
  const flags = ['--hash-seed=1', '--random-seed=1', '--no-flush-bytecode', '--no-sparkplug', '--no-maglev'];
  const run = (script: string, args: string[], env: Record<string, string> = {}) =>
    promisify(execFile)(process.execPath, [...flags, script, ...args], {
      env: { PATH: process.env.PATH ?? '', ...env },
      encoding: 'utf8',
      timeout: 120_000,
    });
  const { stdout } = await run(
    training,
    [dir, app, file, ...(stack ? [deployable] : [])],
    stack ? { ...stack.env, TRICLOUD_LOG_LEVEL: 'error' } : {},
  );
  await run(rewrite, [dir, app, file]);
  const exports = JSON.parse(stdout.trim().split('\n').pop() ?? '[]') as string[];
  return { file, bytes: (await stat(path.join(dir, file))).size, exports };
}
