/**
 * Run by `code-cache.ts` in a Node process of its own, started without flags: loads a built package's bundle once,
 * as a cold start does, imports what its functions import on demand on their first call, then — given a deployable
 * and the local stack's environment — makes that deployable's first call (`first-call.mjs`) against the stack, and
 * writes the V8 code cache of everything compiled by then. Arguments: package folder, bundle file, cache file
 * (names in the folder), and optionally the deployable. Prints the bundle's export names as JSON on its last line.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Training } from './app-loader.ts';
import { firstCall } from './first-call.mjs';

const [dir, app, cache, deployable] = process.argv.slice(2) as [string, string, string, string | undefined];
// The loader the package ships, not its source: the cache is only valid for the exact text that loader compiles.
const { loadApp } = (await import(
  pathToFileURL(path.join(dir, 'load-app.mjs')).href
)) as typeof import('./app-loader.ts');
const training: Training = {};
const exports = loadApp(dir, app, undefined, training);
await training.warmUp?.();
// The same call, with the same ids, in every build (against a stack of its own, so never a duplicate): what a call
// compiles can depend on the bytes it sends and gets back, and a build must give the same cache each time. Code that
// runs or not by the servers' answers (their timestamps) the warm-up has run already (`answer-dependent-paths.ts`).
if (deployable) await firstCall(exports as Parameters<typeof firstCall>[0], deployable, 'build');
if (!training.script) throw new Error(`${path.join(dir, app)} was not compiled`);
writeFileSync(path.join(dir, cache), training.script.createCachedData());
process.stdout.write(`\n${JSON.stringify(Object.keys(exports))}\n`);
process.exit(0);
