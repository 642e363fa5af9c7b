/**
 * Loads a package's bundle as Node loads a CommonJS module, but compiled from the V8 code cache made when it was
 * built (`code-cache.ts`): a cold start then neither parses the bundle nor compiles the functions its load runs.
 * Shipped in every package as `load-app.mjs` (it uses only Node); the package's entry calls it.
 *
 * V8 takes a code cache only from the same V8 version under the same V8 flags, and otherwise compiles from the
 * source, as without a cache: slower, same behaviour. The platforms start Node with heap flags — Lambda
 * `--expose-gc` and heap sizes from the function's memory, Google's buildpacks `--max-old-space-size` — which
 * change V8's flag hash but not one byte of the bytecode. That costs twice:
 *   - Node's own code cache of its built-ins (made when Node was built, without flags) is refused too, so every
 *     built-in a function loads after the platform's start (`http`, `tls`, `crypto`, …) is compiled from its
 *     source: ≈ 30 ms for the AWS SDK's. So, when heap flags are the only V8 flags given, this module first sets
 *     them back to their defaults (`resetHeapFlags`). V8 reads them once, when it sizes the heap and creates the
 *     context, which the platform's start has done; the heap keeps its limits and `gc()` stays (the bundle test
 *     checks both). V8 itself now leaves memory flags out of the hash (v8/v8@87356585659b, 2025), which Node 22's
 *     V8 predates.
 *   - Our own cache: it is stamped with this process's flag hash, so that V8 still checks the version, the source
 *     and the payload (the build makes it with a fixed `--hash-seed`, for reproducible zips).
 */
import type { Script as VmScript } from 'node:vm';

/**
 * V8 flags that the platforms set and V8 reads only while it starts (heap sizes, the `gc` extension), with their
 * defaults. Node's options that V8 never sees may be given too. Any other option leaves the flags alone, and V8
 * decides about each cache.
 */
const STARTUP_V8_FLAGS: Record<string, string> = {
  'expose-gc': '--no-expose-gc',
  'max-old-space-size': '--max-old-space-size=0',
  'max-semi-space-size': '--max-semi-space-size=0',
  'max-heap-size': '--max-heap-size=0',
};
const NODE_ONLY_OPTIONS = new Set(['max-http-header-size', 'enable-source-maps']);

/** The flags' names given to this process, or undefined if one is neither a startup V8 flag nor Node's own. */
function startupFlagsOnly(): string[] | undefined {
  const args = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
  const names = args
    .filter((a) => a.startsWith('-'))
    .map((a) => a.replace(/^-+/, '').split('=')[0]!.replaceAll('_', '-'));
  if (!names.every((n) => n in STARTUP_V8_FLAGS || NODE_ONLY_OPTIONS.has(n))) return undefined;
  return names.filter((n) => n in STARTUP_V8_FLAGS);
}

/** What this module did with the heap flags; the bundle test reads it. */
export let heapFlags: 'none' | 'reset' | 'kept' = 'none';

function resetHeapFlags(): void {
  const given = startupFlagsOnly();
  if (given === undefined) heapFlags = 'kept';
  else if (given.length > 0) {
    const setFlags = v8SetFlags();
    for (const name of given) setFlags(STARTUP_V8_FLAGS[name]!);
    heapFlags = 'reset';
  }
}

/**
 * V8's `setFlagsFromString`, without loading `node:v8`: that module loads Node's streams at its top (for heap
 * snapshots), and before the reset they compile from source, ≈ 8–10 ms of an AWS or GCP cold start (`npm run bench
 * -- --only cold`), where after it they come from Node's cache when the SDKs load them. `process.binding('v8')` is
 * the same native function without the module. Node deprecates it at run time (DEP0111), and the warning would be
 * in every function's log, so deprecation warnings are off for that one call only; a Node that no longer has it
 * gets `node:v8`'s.
 */
function v8SetFlags(): (flags: string) => void {
  const quiet = process.noDeprecation;
  process.noDeprecation = true;
  try {
    // Not in Node's types, being deprecated.
    const node = process as unknown as { binding(name: string): { setFlagsFromString?: unknown } };
    const v8 = node.binding('v8');
    if (typeof v8.setFlagsFromString === 'function') return v8.setFlagsFromString as (flags: string) => void;
  } catch {
    // Removed from `process.binding`: the module's function is the same.
  } finally {
    process.noDeprecation = quiet;
  }
  return process.getBuiltinModule('node:v8').setFlagsFromString;
}

// First, before any other built-in loads. Built-ins come through `process.getBuiltinModule`, not `import`: for an
// ES import Node builds a facade that reads every export, and `node:fs`'s lazy ones load its promises API, its
// streams and readline for nothing.
resetHeapFlags();
const { readFileSync } = process.getBuiltinModule('node:fs');
const { createRequire } = process.getBuiltinModule('node:module');
const path = process.getBuiltinModule('node:path');
const { fileURLToPath } = process.getBuiltinModule('node:url');
const { Script } = process.getBuiltinModule('node:vm');

/** What the last load did with its cache; the cold-load bench reports it. */
export let codeCache: 'accepted' | 'rejected' | 'absent' = 'absent';

/** Build time only: the bundle hands over how to import what a first call imports on demand (`code-cache.ts`). */
export interface Training {
  warmUp?: () => Promise<unknown>;
  script?: VmScript;
}

/** Node's CommonJS wrapper, and the build's warm-up hook. Line 1 of the bundle stays line 1 (`lineOffset`). */
const HEAD = '(function (exports, require, module, __filename, __dirname, __tricloudWarmUp) {\n';
const TAIL = '\n})';

/**
 * Compiles the bundle `app` of the package folder `root` as `loadApp` runs it: from its code cache `cache`, or from
 * source if `cache` is absent (the build does, to make the cache). `buildTime` names the script by its file alone:
 * the cache V8 writes keeps the script's name, and a deployed function takes the name it is given, not the cache's,
 * so the same code gives the same cache (and zip) whatever folder it is built in, with no path of the builder's
 * machine inside.
 */
export function compileApp(
  root: string,
  app: string,
  cache: string | undefined,
  buildTime: boolean,
): VmScript {
  const file = path.join(root, app);
  const cachedData = cache === undefined ? undefined : readCache(path.join(root, cache));
  // latin1 is a copy of the bytes: the build checks that the bundle is ASCII.
  const source = `${HEAD}${readFileSync(file, 'latin1')}${TAIL}`;
  const script = new Script(source, {
    filename: buildTime ? app : file,
    lineOffset: -1,
    ...(cachedData ? { cachedData } : {}),
  });
  codeCache = cachedData === undefined ? 'absent' : script.cachedDataRejected ? 'rejected' : 'accepted';
  return script;
}

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
  const script = compileApp(root, app, cache, training !== undefined);
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
  if (sameV8 && heapFlags !== 'kept') here.copy(data, FLAG_HASH, FLAG_HASH, FLAG_HASH + 4);
  return data;
}
