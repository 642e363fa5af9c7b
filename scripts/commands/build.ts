/**
 * `tricloud build` (`npm run build`): every deployable bundled with esbuild and packaged under `dist/`, then a size
 * report: bundle bytes, what a cold start loads, its code cache, zip bytes, and which clouds' SDKs each bundle carries.
 *
 * Code caches are trained on the function's first call (where `deployables.ts` says so) against a local stack that
 * the build starts for it (always its own, whatever endpoints the environment names: a first call writes). Where
 * the stack cannot start (no Java or Google Cloud CLI for its emulators), the caches cover the load only, and the
 * build says so.
 */
import { parseArgs } from 'node:util';
import { buildAll } from '../build/build-all.ts';
import { type LocalStack, startLocalStack } from '../local-stack/local-stack.ts';

const usage = `Usage: tricloud build [--json] [--load-only]

Bundles every deployable into dist/ and prints their sizes.

Options:
  --json        print the sizes as JSON
  --load-only   train the code caches on the load only, without starting a local stack for the first calls
  -h, --help    show this help`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      json: { type: 'boolean', default: false },
      'load-only': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const stack = values['load-only'] ? undefined : await firstCallStack();
  let rows: Awaited<ReturnType<typeof buildAll>>;
  try {
    rows = await buildAll(stack);
  } finally {
    await stack?.stop();
  }
  if (values.json) {
    console.log(JSON.stringify(rows));
  } else {
    const kib = (n: number, width: number) => (n / 1024).toFixed(0).padStart(width);
    console.log('deployable          JS KiB  cold-start KiB  code cache KiB  zip KiB  cloud SDKs inside');
    for (const r of rows) {
      const sizes = [kib(r.bytes, 6), kib(r.initialBytes, 14), kib(r.cacheBytes, 14), kib(r.zipBytes, 7)];
      console.log(`${r.name.padEnd(18)}  ${sizes.join('  ')}  ${r.sdks.join(', ')}`);
    }
    const trained = rows.filter((r) => r.firstCallTrained).map((r) => r.name);
    console.log(`code caches trained on the first call too: ${trained.join(', ') || 'none (load only)'}`);
  }
  return 0;
}

/** A local stack of its own for the first calls, or none (said on stderr) where it cannot start. */
async function firstCallStack(): Promise<LocalStack | undefined> {
  try {
    return await startLocalStack({ environment: {} });
  } catch (error) {
    console.error(
      `build: code caches will cover the load only, not the first call (≈ 10–40 ms more per cold start): the local stack did not start: ${(error as Error).message}`,
    );
    return undefined;
  }
}
