/**
 * Run by `code-cache.ts` after the training, in a Node process of its own with the training's V8 flags: compiles
 * the bundle from the cache the training wrote, without running it, and writes the cache again. Arguments: package
 * folder, bundle file, cache file (names in the folder).
 *
 * Why: V8 numbers every function it creates in one counter for the whole process, and its cache keeps each
 * function's number. In the training, functions are created in the order things happen — two pulls answered in
 * either order, a server closing an idle socket in the middle of a call — so the same functions got other numbers
 * from build to build, and the cache (so the zip) changed. A process that only deserializes the cache creates the
 * same functions in the cache's own order, whatever order the training ran them in; its cache holds the same code.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [dir, app, cache] = process.argv.slice(2) as [string, string, string];
// The loader the package ships, as the training uses it: the same script text, name and line offset.
const loader = (await import(
  pathToFileURL(path.join(dir, 'load-app.mjs')).href
)) as typeof import('./app-loader.ts');
const script = loader.compileApp(dir, app, cache, true);
if (loader.codeCache !== 'accepted')
  throw new Error(`V8 did not take the code cache ${cache} that the training wrote (${loader.codeCache})`);
writeFileSync(path.join(dir, cache), script.createCachedData());
