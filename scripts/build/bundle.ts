/**
 * Bundles one deployable with esbuild: ESM for Node 22, tree-shaken, minified, split at dynamic imports, with
 * linked source maps, every
 * dependency inlined (JSON protos of Google's clients included, since they are static `require`s) so the bundle
 * runs without `node_modules`, except what the platform itself provides. Code of Google's clients that no data
 * call runs goes to a file loaded on first use (`deferred-modules.ts`).
 */
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { build, type Metafile, type Plugin } from 'esbuild';
import { deferredModules } from './deferred-modules.ts';
import type { Deployable } from './deployables.ts';
import { precompiledChecks } from './precompiled-checks.ts';

export interface BundleResult {
  deployable: Deployable;
  dir: string;
  file: string;
  /** JavaScript bytes of the whole bundle, every chunk included. */
  bytes: number;
  /** JavaScript bytes a cold start loads: the entry and its static imports, not the on-demand chunks. */
  initialBytes: number;
  metafile: Metafile;
}

/**
 * CommonJS dependencies call `require` for Node built-ins; an ESM bundle has none, so it gets one made for it.
 * `__dirname`/`__filename` likewise, for the few packages that still read them.
 */
const ESM_REQUIRE_SHIM = [
  "import { createRequire as __tricloudCreateRequire } from 'node:module';",
  "import { fileURLToPath as __tricloudFileURLToPath } from 'node:url';",
  'const require = __tricloudCreateRequire(import.meta.url);',
  'const __filename = __tricloudFileURLToPath(import.meta.url);',
  "const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));",
].join('\n');

/**
 * Node's built-in modules reached through `require`, also where a package imports them as ES modules. For an ES
 * import Node builds a facade that reads every export of the built-in, and the lazy ones then load for nothing:
 * `node:http` loads undici for `fetch`'s classes (≈ 10 ms), `node:crypto` its Web Crypto, `node:stream` its
 * promises. esbuild's interop for a CommonJS module reads an export only when the code does.
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

export async function bundle(root: string, deployable: Deployable): Promise<BundleResult> {
  const dir = path.join(root, 'dist', deployable.outDir);
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, deployable.outFile);
  const deferred = deferredModules(CHUNKS);
  const result = await build({
    absWorkingDir: root,
    entryPoints: { [path.parse(deployable.outFile).name]: deployable.entry },
    outdir: dir,
    outExtension: { '.js': path.extname(deployable.outFile) },
    // Code reached only through dynamic import() — the SDKs' credential providers, the other clouds' stores that
    // only sync needs — goes to chunks loaded on first use, so a cold start parses only what it runs.
    splitting: true,
    chunkNames: `${CHUNKS}/[name]-[hash]`,
    bundle: true,
    platform: 'node',
    // ES builds first where a package ships both (the AWS SDK does): esbuild can drop their unused exports, where
    // a CommonJS module is kept whole — the DynamoDB client's cold-start code is about half as large this way.
    mainFields: ['module', 'main'],
    conditions: ['module'],
    format: 'esm',
    target: 'node22',
    minify: true,
    treeShaking: true,
    sourcemap: 'linked',
    legalComments: 'none',
    metafile: true,
    external: deployable.external,
    banner: { js: ESM_REQUIRE_SHIM },
    plugins: [builtinsThroughRequire, precompiledChecks, deferred.plugin],
    logLevel: 'warning',
  });
  // Loaded on first use only: counted in the bundle's bytes, not in a cold start's.
  const deferredMeta = await deferred.build(root, path.join(dir, CHUNKS));
  if (deferredMeta) {
    Object.assign(result.metafile.inputs, deferredMeta.inputs);
    Object.assign(result.metafile.outputs, deferredMeta.outputs);
  }
  for (const [name, contents] of Object.entries(deployable.files))
    await writeFile(path.join(dir, name), contents);
  // Chunk names carry content hashes, so an earlier build's chunks would stay beside these and go into the zip.
  const current = new Set([
    ...Object.keys(result.metafile.outputs).map((name) => path.resolve(root, name)),
    ...Object.keys(deployable.files).map((name) => path.join(dir, name)),
  ]);
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true })) {
    const file = path.join(e.parentPath, e.name);
    if (e.isFile() && !current.has(file)) await rm(file);
  }
  const outputs = result.metafile.outputs;
  const js = Object.entries(outputs).filter(([name]) => !name.endsWith('.map'));
  const initial = new Set<string>();
  const visit = (name: string) => {
    if (initial.has(name)) return;
    initial.add(name);
    for (const i of outputs[name]?.imports ?? [])
      if (i.kind === 'import-statement' && outputs[i.path]) visit(i.path);
  };
  visit(path.relative(root, file));
  return {
    deployable,
    dir,
    file,
    bytes: js.reduce((n, [, o]) => n + o.bytes, 0),
    initialBytes: [...initial].reduce((n, name) => n + (outputs[name]?.bytes ?? 0), 0),
    metafile: result.metafile,
  };
}
