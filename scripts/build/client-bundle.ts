/**
 * The read client (`tricloud/client`, shared/client) as one ES module for Node and browsers: no Node built-ins,
 * no cloud SDK, so a web page or another service imports it as `dist/client/index.js`, with its types from the
 * TypeScript sources (package.json `exports`).
 */
import path from 'node:path';
import { build } from 'esbuild';

export async function bundleClient(root: string): Promise<{ file: string; bytes: number }> {
  const file = path.join(root, 'dist', 'client', 'index.js');
  const result = await build({
    entryPoints: [path.join(root, 'shared', 'client', 'index.ts')],
    outfile: file,
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    minify: true,
    sourcemap: 'linked',
    metafile: true,
    logLevel: 'silent',
  });
  const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + (o.entryPoint ? o.bytes : 0), 0);
  return { file, bytes };
}
