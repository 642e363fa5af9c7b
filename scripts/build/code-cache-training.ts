/**
 * Run by `code-cache.ts` in a Node process of its own, started without flags: loads a built package's bundle once,
 * as a cold start does, imports what its functions import on demand on their first call, and writes the V8 code
 * cache of everything compiled by then. Arguments: package folder, bundle file, cache file (names in the folder).
 * Prints the bundle's export names as JSON on its last line.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Training } from './app-loader.ts';

const [dir, app, cache] = process.argv.slice(2) as [string, string, string];
// The loader the package ships, not its source: the cache is only valid for the exact text that loader compiles.
const { loadApp } = (await import(
  pathToFileURL(path.join(dir, 'load-app.mjs')).href
)) as typeof import('./app-loader.ts');
const training: Training = {};
const exports = loadApp(dir, app, undefined, training);
await training.warmUp?.();
if (!training.script) throw new Error(`${path.join(dir, app)} was not compiled`);
writeFileSync(path.join(dir, cache), training.script.createCachedData());
process.stdout.write(`\n${JSON.stringify(Object.keys(exports))}\n`);
process.exit(0);
