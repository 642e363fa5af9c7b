/**
 * Architecture check, run by `npm test`: `shared/core` must stay pure.
 *
 * esbuild resolves every import of the core exactly as the bundler will (TypeScript, `.ts` extensions,
 * re-exports), so the check sees the real dependency graph rather than a regex's guess at it. The core may import
 * only files under `shared/core/` and the few pure libraries listed below; no Node built-in (no I/O) and no
 * cloud SDK. Globals that do I/O (`process`, `fetch`, timers, `Date`, `console`) are banned by Biome's
 * `noRestrictedGlobals` in `biome.json`.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';

const root = path.resolve(import.meta.dirname, '..', '..');
const coreDir = path.join(root, 'shared', 'core');
/** Pure, dependency-light libraries the core is allowed to use, each for one job. */
const allowedPackages = new Set(['typebox', 'p-limit']);

const entryPoints = readdirSync(coreDir, { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.ts'))
  .map((f) => path.join(coreDir, f));

const violations: string[] = [];
const result = await build({
  entryPoints,
  bundle: true,
  write: false,
  metafile: true,
  platform: 'neutral',
  format: 'esm',
  outdir: path.join(root, '.tricloud', 'arch'),
  logLevel: 'silent',
  plugins: [
    {
      name: 'core-boundary',
      setup(b) {
        b.onResolve({ filter: /.*/ }, (args) => {
          if (args.kind === 'entry-point') return undefined;
          const from = path.relative(root, args.importer);
          if (!from.startsWith(path.join('shared', 'core'))) return undefined;
          if (args.path.startsWith('.')) {
            const target = path.resolve(args.resolveDir, args.path);
            if (!target.startsWith(coreDir + path.sep)) {
              violations.push(`${from} imports ${args.path}, outside shared/core`);
              return { path: target, external: true };
            }
            return undefined;
          }
          const pkg = args.path.startsWith('@')
            ? args.path.split('/').slice(0, 2).join('/')
            : args.path.split('/')[0];
          if (!allowedPackages.has(pkg ?? '')) {
            violations.push(
              `${from} imports '${args.path}': shared/core may import only shared/core and ${[...allowedPackages].join(', ')} (no I/O, no cloud SDK)`,
            );
          }
          return { path: args.path, external: true };
        });
      },
    },
  ],
});

if (result.errors.length > 0 || violations.length > 0) {
  for (const v of violations) console.error(`architecture: ${v}`);
  for (const e of result.errors) console.error(`architecture: ${e.text}`);
  process.exit(1);
}
console.log(`architecture: shared/core is pure (${entryPoints.length} files checked)`);
