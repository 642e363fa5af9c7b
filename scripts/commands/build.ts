/**
 * `tricloud build` (`npm run build`): every deployable bundled with esbuild and packaged under `dist/`, then a size
 * report: bundle bytes, zip bytes, and which clouds' SDKs each bundle carries.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { bundle } from '../build/bundle.ts';
import { bundleClient } from '../build/client-bundle.ts';
import { deployables } from '../build/deployables.ts';
import { zipFolder } from '../build/package-zip.ts';

const root = path.resolve(import.meta.dirname, '..', '..');

export interface BuiltDeployable {
  name: string;
  bundle: string;
  /** JavaScript bytes of the whole bundle. */
  bytes: number;
  /** JavaScript bytes a cold start loads. */
  initialBytes: number;
  zip: string;
  zipBytes: number;
  /** The cloud SDKs whose code the bundle carries. */
  sdks: string[];
}

/** Bundles and packages every deployable into a fresh `dist/`. */
export async function buildAll(): Promise<BuiltDeployable[]> {
  await rm(path.join(root, 'dist'), { recursive: true, force: true });
  const rows: BuiltDeployable[] = [];
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
  const client = await bundleClient(root);
  rows.push({
    name: 'client',
    bundle: path.relative(root, client.file),
    bytes: client.bytes,
    initialBytes: client.bytes,
    zip: '',
    zipBytes: 0,
    sdks: [],
  });
  return rows;
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { json: { type: 'boolean', default: false } } });
  const rows = await buildAll();
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
