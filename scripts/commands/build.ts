/**
 * `tricloud build` (`npm run build`): every deployable bundled with esbuild and packaged under `dist/`, then a size
 * report: bundle bytes, zip bytes, and which clouds' SDKs each bundle carries.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { bundle } from '../build/bundle.ts';
import { deployables } from '../build/deployables.ts';
import { zipFolder } from '../build/package-zip.ts';

const root = path.resolve(import.meta.dirname, '..', '..');

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { json: { type: 'boolean', default: false } } });
  await rm(path.join(root, 'dist'), { recursive: true, force: true });
  const rows = [];
  for (const d of deployables) {
    const result = await bundle(root, d);
    const zipBytes = await zipFolder(result.dir, path.join(root, 'dist', d.zip));
    const inputs = Object.keys(result.metafile.inputs);
    const sdks = ['@aws-sdk', '@google-cloud', '@azure'].filter((sdk) =>
      inputs.some((i) => i.includes(`node_modules/${sdk}/`)),
    );
    rows.push({
      name: d.name,
      bundle: `dist/${d.outDir}/${d.outFile}`,
      bytes: result.bytes,
      initialBytes: result.initialBytes,
      zip: `dist/${d.zip}`,
      zipBytes,
      sdks,
    });
  }
  if (values.json) {
    console.log(JSON.stringify(rows));
  } else {
    const kib = (n: number, width: number) => (n / 1024).toFixed(0).padStart(width);
    console.log('deployable          JS KiB  cold-start KiB  zip KiB  cloud SDKs inside');
    for (const r of rows) {
      console.log(
        `${r.name.padEnd(18)}  ${kib(r.bytes, 6)}  ${kib(r.initialBytes, 14)}  ${kib(r.zipBytes, 7)}  ${r.sdks.join(', ')}`,
      );
    }
  }
  return 0;
}
