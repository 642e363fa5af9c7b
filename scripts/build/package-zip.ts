/** Zips a bundle folder as the platform deploys it: files at the archive's root, stable order and timestamps. */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { zipSync } from 'fflate';

export async function zipFolder(dir: string, zipFile: string): Promise<number> {
  const names = (await readdir(dir, { recursive: true, withFileTypes: true }))
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
  const entries: Record<string, [Uint8Array, { mtime: Date }]> = {};
  // A fixed timestamp keeps the zip byte-identical across builds of the same code, so Terraform sees no change.
  const mtime = new Date('2020-01-01T00:00:00Z');
  for (const name of names) entries[name] = [await readFile(path.join(dir, name)), { mtime }];
  const zipped = zipSync(entries, { level: 9 });
  await writeFile(zipFile, zipped);
  return zipped.byteLength;
}
