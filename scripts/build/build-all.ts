/** Every deployable bundled with esbuild and packaged under `dist/`: what `tricloud build` and the bench run. */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { bundle } from './bundle.ts';
import { bundleClient } from './client-bundle.ts';
import type { FirstCallStack } from './code-cache.ts';
import { writeCredentialsZip } from './credentials-zip.ts';
import { deployables } from './deployables.ts';
import { zipFolder } from './package-zip.ts';

const root = path.resolve(import.meta.dirname, '..', '..');

export interface BuiltDeployable {
  name: string;
  bundle: string;
  /** JavaScript bytes of the whole bundle. */
  bytes: number;
  /** JavaScript bytes a cold start loads. */
  initialBytes: number;
  /** Bytes of the V8 code cache a cold start reads with them (0 where there is none). */
  cacheBytes: number;
  /** Whether that cache covers the first call too (made against a local stack), or the load only. */
  firstCallTrained: boolean;
  zip: string;
  zipBytes: number;
  /** The cloud SDKs whose code the bundle carries. */
  sdks: string[];
}

/**
 * Bundles and packages every deployable into a fresh `dist/`. Given a local stack, each code cache is trained on
 * the deployable's first call against it (`code-cache.ts`); without, on its load only.
 */
export async function buildAll(stack?: FirstCallStack): Promise<BuiltDeployable[]> {
  await rm(path.join(root, 'dist'), { recursive: true, force: true });
  // Not a bundle: the AWS sync's Google credential configuration as a layer zip, when the environment gives one.
  await writeCredentialsZip(path.join(root, 'dist'));
  const rows: BuiltDeployable[] = [];
  for (const d of deployables) {
    const result = await bundle(root, d, stack);
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
      cacheBytes: result.cacheBytes,
      firstCallTrained: stack !== undefined,
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
    cacheBytes: 0,
    firstCallTrained: false,
    zip: '',
    zipBytes: 0,
    sdks: [],
  });
  return rows;
}
