/**
 * Bundles one deployable with esbuild: one CommonJS file for Node 22, tree-shaken, minified, with a linked source
 * map, every dependency inlined (JSON protos of Google's clients included, since they are static `require`s, each
 * pruned to what its services use: `service-protos.ts`) so it runs without `node_modules`, except what the
 * platform itself provides. Code of Google's clients that no data call runs goes to a file loaded on first use
 * (`deferred-modules.ts`). The package's entry loads the bundle with
 * the V8 code cache made at build time (`app-loader.ts`, `code-cache.ts`).
 */
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { build, type Metafile, type Plugin, transform } from 'esbuild';
import { type CodeCache, type FirstCallStack, writeCodeCache } from './code-cache.ts';
import { deferredModules } from './deferred-modules.ts';
import type { Deployable } from './deployables.ts';
import { precompiledChecks } from './precompiled-checks.ts';
import { serviceProtos } from './service-protos.ts';

/**
 * Node's built-in modules reached through `require`, also where a package `import()`s them (the AWS SDK imports
 * `node:http` on first use). A dynamic import would need the ES loader inside a script (an experimental vm
 * option), and for an ES import Node builds a facade that reads every export of the built-in, so the lazy ones
 * load for nothing: `node:http` loads undici for `fetch`'s classes (≈ 10 ms). esbuild's interop for a CommonJS
 * module reads an export only when the code does.
 */
const BUILTIN = new RegExp(`^(node:)?(${builtinModules.map((m) => m.replace(/[/]/g, '\\/')).join('|')})$`);
const builtinsThroughRequire: Plugin = {
  name: 'builtins-through-require',
  setup(b) {
    b.onResolve({ filter: BUILTIN }, (args) =>
      args.namespace === 'builtin'
        ? { path: args.path, external: true }
        : { path: args.path.replace(/^(node:)?/, 'node:'), namespace: 'builtin' },
    );
    b.onLoad({ filter: /.*/, namespace: 'builtin' }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(args.path)});`,
      loader: 'js',
    }));
  },
};

/** The chunks' folder inside a bundle's; `deferred-modules.ts` puts its file there too. */
const CHUNKS = 'chunks';

export interface BundleResult {
  deployable: Deployable;
  dir: string;
  /** The package's entry, which the platform loads. */
  file: string;
  /** JavaScript bytes of the whole bundle, the deferred file included. */
  bytes: number;
  /** JavaScript bytes a cold start reads: the bundle (the deferred file is read on first use only). */
  initialBytes: number;
  /** Bytes of the V8 code cache a cold start reads with it. */
  cacheBytes: number;
  metafile: Metafile;
}

/** The bundle's entry: the deployable's module, and (build time only) how to import what it imports on demand. */
function entrySource(deployable: Deployable): string {
  // Relative to the root (the entry's resolveDir): the entry's text is in the source map and the bundle's hash, which
  // must not depend on the folder the repository is checked out in.
  const file = (f: string) => JSON.stringify(`./${f}`);
  const imports = deployable.warmUp.map((f) => `import(${file(f)})`).join(', ');
  return [
    `export * from ${file(deployable.entry)};`,
    `if (typeof __tricloudWarmUp === 'function') __tricloudWarmUp(() => Promise.all([${imports}]));`,
  ].join('\n');
}

/** Bundles `deployable` into `dist/`; with a stack, its code cache also covers its first call (`code-cache.ts`). */
export async function bundle(
  root: string,
  deployable: Deployable,
  stack?: FirstCallStack,
): Promise<BundleResult> {
  const dir = path.join(root, 'dist', deployable.outDir);
  await mkdir(dir, { recursive: true });
  const deferred = deferredModules(CHUNKS);
  const result = await build({
    absWorkingDir: root,
    stdin: {
      contents: entrySource(deployable),
      resolveDir: root,
      sourcefile: 'entry.js',
      loader: 'js',
    },
    outdir: dir,
    // Named by content, so a package's entry and code cache always name the bundle they were made for.
    entryNames: 'app-[hash]',
    outExtension: { '.js': '.cjs' },
    bundle: true,
    platform: 'node',
    // ES builds first where a package ships both (the AWS SDK does): esbuild can drop their unused exports, where
    // a CommonJS module is kept whole — the DynamoDB client's cold-start code is about half as large this way.
    mainFields: ['module', 'main'],
    conditions: ['module'],
    // A script, not an ES module: only a script can be compiled from a code cache made at build time. One file:
    // code that runs only on demand costs a cold start its bytes and V8's stub of it, not a parse.
    format: 'cjs',
    target: 'node22',
    minify: true,
    treeShaking: true,
    sourcemap: 'linked',
    legalComments: 'none',
    metafile: true,
    external: deployable.external,
    plugins: [builtinsThroughRequire, precompiledChecks, serviceProtos, deferred.plugin],
    logLevel: 'warning',
  });
  const [appPath, appMeta] = Object.entries(result.metafile.outputs).find(([name]) => name.endsWith('.cjs'))!;
  checkNoDynamicImports(appPath, appMeta);
  const app = path.basename(appPath);
  // Loaded on first use only: counted in the bundle's bytes, not in a cold start's.
  const deferredMeta = await deferred.build(root, path.join(dir, CHUNKS));
  if (deferredMeta) {
    Object.assign(result.metafile.inputs, deferredMeta.inputs);
    Object.assign(result.metafile.outputs, deferredMeta.outputs);
  }
  for (const [name, contents] of Object.entries(deployable.files))
    await writeFile(path.join(dir, name), contents);
  await writeFile(path.join(dir, LOADER), await loaderSource());
  const cache = await writeCodeCache(dir, app, deployable.name, stack);
  await writeFile(path.join(dir, deployable.outFile), entryModule(app, cache));
  await removeStaleFiles(dir, [
    ...Object.keys(result.metafile.outputs).map((name) => path.resolve(root, name)),
    ...[...Object.keys(deployable.files), LOADER, cache.file, deployable.outFile].map((f) =>
      path.join(dir, f),
    ),
  ]);
  const js = Object.entries(result.metafile.outputs).filter(([name]) => !name.endsWith('.map'));
  return {
    deployable,
    dir,
    file: path.join(dir, deployable.outFile),
    bytes: js.reduce((n, [, o]) => n + o.bytes, 0),
    initialBytes: appMeta.bytes,
    cacheBytes: cache.bytes,
    metafile: result.metafile,
  };
}

/** The loader every package ships beside its bundle (`app-loader.ts`), as JavaScript. */
const LOADER = 'load-app.mjs';
async function loaderSource(): Promise<string> {
  const source = await readFile(path.join(import.meta.dirname, 'app-loader.ts'), 'utf8');
  const { code } = await transform(source, { loader: 'ts', format: 'esm', target: 'node22' });
  return `// Built from scripts/build/app-loader.ts.\n${code}`;
}

/** The module the platform loads: the bundle's exports, loaded with its code cache. */
function entryModule(app: string, cache: CodeCache): string {
  return [
    '// Generated by scripts/build/bundle.ts: runs the bundle compiled from its code cache (see load-app.mjs).',
    `import { loadApp } from './${LOADER}';`,
    `const app = loadApp(new URL('.', import.meta.url), ${JSON.stringify(app)}, ${JSON.stringify(cache.file)});`,
    `export const { ${cache.exports.join(', ')} } = app;`,
    '',
  ].join('\n');
}

/** A dynamic `import()` left in the bundle would need the ES loader inside a script, which Node 22 has only as an experiment. */
function checkNoDynamicImports(app: string, meta: Metafile['outputs'][string]): void {
  const dynamic = meta.imports.filter((i) => i.kind === 'dynamic-import').map((i) => i.path);
  if (dynamic.length > 0)
    throw new Error(
      `${app} imports ${dynamic.join(', ')} with import(), which a bundle loaded as a script cannot run: bundle the module, or reach it through require (see builtinsThroughRequire)`,
    );
}

/** Removes files of earlier builds: names carry content hashes, so they would stay beside these and go into the zip. */
async function removeStaleFiles(dir: string, current: string[]): Promise<void> {
  const keep = new Set(current);
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true })) {
    const file = path.join(e.parentPath, e.name);
    if (e.isFile() && !keep.has(file)) await rm(file);
  }
}
