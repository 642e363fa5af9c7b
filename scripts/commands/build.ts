/**
 * `tricloud build` (`npm run build`): every deployable bundled with esbuild and packaged under `dist/`, then a size
 * report: bundle bytes, what a cold start loads, its code cache, zip bytes, and which clouds' SDKs each bundle carries.
 */
import { parseArgs } from 'node:util';
import { buildAll } from '../build/build-all.ts';

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { json: { type: 'boolean', default: false } } });
  const rows = await buildAll();
  if (values.json) {
    console.log(JSON.stringify(rows));
  } else {
    const kib = (n: number, width: number) => (n / 1024).toFixed(0).padStart(width);
    console.log('deployable          JS KiB  cold-start KiB  code cache KiB  zip KiB  cloud SDKs inside');
    for (const r of rows) {
      const sizes = [kib(r.bytes, 6), kib(r.initialBytes, 14), kib(r.cacheBytes, 14), kib(r.zipBytes, 7)];
      console.log(`${r.name.padEnd(18)}  ${sizes.join('  ')}  ${r.sdks.join(', ')}`);
    }
  }
  return 0;
}
