/**
 * Loads a package's bundle as Node loads a CommonJS module, but compiled from the V8 code cache made when it was
 * built (`code-cache.ts`): a cold start then neither parses the bundle nor compiles the functions its load runs.
 * Shipped in every package as `load-app.mjs` (it imports only Node); the package's entry calls it.
 *
 * V8 takes a cache only from the same V8 version under the same V8 flags, and otherwise compiles the bundle from
 * its source, as without a cache: slower, same behaviour. The platforms start Node with heap flags — Lambda
 * `--expose-gc` and heap sizes from the function's memory, Google's buildpacks `--max-old-space-size` — which
 * change V8's flag hash but not one byte of the bytecode; when those are the only flags given, the cache is
 * stamped with this process's flag hash, so that V8 still checks the version, the source and the payload.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';

/** What the last load did with its cache; the cold-load bench reports it. */
export let codeCache: 'accepted' | 'rejected' | 'absent' = 'absent';

/** Build time only: the bundle hands over how to import what a first call imports on demand (`code-cache.ts`). */
export interface Training {
  warmUp?: () => Promise<unknown>;
  script?: Script;
}

/** Node's CommonJS wrapper, and the build's warm-up hook. Line 1 of the bundle stays line 1 (`lineOffset`). */
const HEAD = '(function (exports, require, module, __filename, __dirname, __tricloudWarmUp) {\n';
const TAIL = '\n})';

/**
 * Runs the bundle `app` of the package folder `dir` and returns its exports. `cache` names its code cache, or is
 * absent to compile from source (the build does, to make the cache).
 */
export function loadApp(
  dir: string | URL,
  app: string,
  cache?: string,
  training?: Training,
): Record<string, unknown> {
  const root = typeof dir === 'string' ? dir : fileURLToPath(dir);
  const file = path.join(root, app);
  const cachedData = cache === undefined ? undefined : readCache(path.join(root, cache));
  // latin1 is a copy of the bytes: the build checks that the bundle is ASCII.
  const source = `${HEAD}${readFileSync(file, 'latin1')}${TAIL}`;
  const script = new Script(source, {
    filename: file,
    lineOffset: -1,
    ...(cachedData ? { cachedData } : {}),
  });
  codeCache = cachedData === undefined ? 'absent' : script.cachedDataRejected ? 'rejected' : 'accepted';
  if (codeCache === 'rejected') {
    // The function still works; but a runtime update to another V8 makes every cold start slower, which an
    // operator can only fix (by rebuilding) if a log says so. Once per process: this runs once.
    process.emitWarning(
      `${app}: V8 ${process.versions.v8} refused the code cache made at build time; compiling from source, so cold starts are slower. Rebuild the package with this runtime's Node version.`,
      { code: 'TRICLOUD_CODE_CACHE_REFUSED' },
    );
  }
  const module = { exports: {} as Record<string, unknown> };
  const warmUp = training
    ? (load: () => Promise<unknown>) => {
        training.warmUp = load;
      }
    : undefined;
  const run = script.runInThisContext() as (...args: unknown[]) => void;
  run.call(module.exports, module.exports, createRequire(file), module, file, root, warmUp);
  if (training) training.script = script;
  return module.exports;
}

/** V8's code cache header (V8 12.4, Node 22): magic number, version hash, source hash, flag hash, … */
const VERSION_END = 8;
const FLAG_HASH = 12;

function readCache(file: string): Buffer | undefined {
  let data: Buffer;
  try {
    data = readFileSync(file);
  } catch {
    return undefined;
  }
  const here = new Script('0').createCachedData();
  // Same magic and version: this V8 made the cache, so its header has this layout.
  const sameV8 = data.length > FLAG_HASH + 4 && here.compare(data, 0, VERSION_END, 0, VERSION_END) === 0;
  if (sameV8 && onlyHeapFlags()) here.copy(data, FLAG_HASH, FLAG_HASH, FLAG_HASH + 4);
  return data;
}

/**
 * Options the platforms start Node with that do not change the bytecode V8 makes: heap sizes, `gc()`, and Node's
 * own options, which V8 never sees. Any other option leaves the flag hash alone, and V8 decides.
 */
const HEAP_FLAGS = new Set([
  'expose-gc',
  'max-old-space-size',
  'max-semi-space-size',
  'max-heap-size',
  'max-http-header-size',
  'enable-source-maps',
]);

function onlyHeapFlags(): boolean {
  const args = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
  return args.every(
    (a) => !a.startsWith('-') || HEAP_FLAGS.has(a.replace(/^-+/, '').split('=')[0]!.replaceAll('_', '-')),
  );
}
