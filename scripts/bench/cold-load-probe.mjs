/**
 * Run in a fresh process by the cold-load bench: loads one function module (a bundle, or unbundled code importing
 * from node_modules), calls its handler once against the local stack, and prints how long each phase took, in
 * milliseconds of wall time and of this process's CPU time, with what the handler returned. Arguments: module
 * path, deployable (aws-ingest | aws-sync | aws-read | gcp-functions | azure-functionapp). The bundle test also
 * runs it, on bundles copied away from `node_modules`.
 *
 * Phases: `start` is the platform's own start — Node, and on GCP the Functions Framework, which the platform has
 * loaded before it imports the function (every form resolves it from `node_modules` beside it); `load` imports
 * the module; `call` is the first invocation, which builds the clients and may import more on demand.
 *
 * Plain JavaScript on purpose: a `.ts` probe would start Node's TypeScript loader in every process, charging the
 * bundle a cost that a deployed bundle never pays.
 */
import { firstCall } from '../build/first-call.mjs';

// Built-ins through `process.getBuiltinModule`: an ES import of `node:fs` builds a facade that reads every export,
// and its lazy ones load fs's promises API, streams and readline, which no platform's start loads for a function.
const { existsSync } = process.getBuiltinModule('node:fs');
const { createRequire } = process.getBuiltinModule('node:module');
const path = process.getBuiltinModule('node:path');
const { pathToFileURL } = process.getBuiltinModule('node:url');

const [modulePath, deployable] = process.argv.slice(2);
if (deployable === 'gcp-functions') createRequire(modulePath)('@google-cloud/functions-framework');
const cpu = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};
const started = performance.now();
const cpuStarted = cpu();
/** @type {Record<string, (...args: unknown[]) => Promise<unknown>>} */
const mod = await import(pathToFileURL(modulePath).href);
const loaded = performance.now();
const cpuLoaded = cpu();
const result = await firstCall(mod, deployable, `cold-${process.pid}`);
const called = performance.now();
const cpuCalled = cpu();
// A bundle's loader says whether V8 took the code cache; unbundled code has none.
const loader = path.join(path.dirname(modulePath), 'load-app.mjs');
const codeCache = existsSync(loader) ? (await import(pathToFileURL(loader).href)).codeCache : 'none';
console.log(
  JSON.stringify({
    start: started,
    load: loaded - started,
    call: called - loaded,
    total: called,
    cpuStart: cpuStarted,
    cpuLoad: cpuLoaded - cpuStarted,
    cpuCall: cpuCalled - cpuLoaded,
    codeCache,
    result,
  }),
);
process.exit(0);
