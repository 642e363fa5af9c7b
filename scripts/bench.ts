/**
 * `npm run bench` — every figure a ratio against a baseline measured on the same input in the same run
 * (DESIGN §9). Prints a table; with `--json`, also one JSON object on the last line whose keys name each figure.
 *
 *   --records N        records of the core input (default 1,000,000)
 *   --series N         series (default 100)
 *   --per-message N    records per message (default 500)
 *   --only LIST        some of: core, clouds, cold, sync, producer (default all); all but core and sync start the
 *                      local stack
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { benchCloudIngest } from './bench/cloud-ingest.ts';
import { benchColdLoad } from './bench/cold-load.ts';
import { benchConvergence } from './bench/convergence.ts';
import { benchCore } from './bench/core.ts';
import { benchProducer } from './bench/producer.ts';
import { Figures } from './bench/report.ts';
import { benchSyncCost } from './bench/sync-cost.ts';
import { run as build } from './commands/build.ts';
import { startLocalStack } from './local-stack/local-stack.ts';

const { values: args } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    records: { type: 'string', default: '1000000' },
    series: { type: 'string', default: '100' },
    'per-message': { type: 'string', default: '500' },
    only: { type: 'string', default: 'core,clouds,cold,sync,producer' },
  },
});
const only = new Set(args.only.split(','));
const figures = new Figures();
const started = performance.now();

if (only.has('core')) {
  figures.section(
    `core: ${Number(args.records).toLocaleString('en-US')} records, ${args.series} series, ${args['per-message']} per message (node ${process.version})`,
  );
  await benchCore(
    { records: Number(args.records), series: Number(args.series), perMessage: Number(args['per-message']) },
    figures.report,
  );
}
if (only.has('sync')) {
  figures.section(
    'sync: store operations of one pass with 100 changed documents, as the source grows (in-memory store)',
  );
  await benchSyncCost(figures.report);
}
if (only.has('clouds') || only.has('cold') || only.has('producer')) {
  const stack = await startLocalStack();
  try {
    const env = { ...process.env, ...stack.env, TRICLOUD_LOG_LEVEL: 'error' };
    if (only.has('clouds')) {
      figures.section('ingest through each cloud on the local stack: ours against one record per message');
      await benchCloudIngest(env, figures.report);
      figures.section(
        'sync convergence on the local stack: new windows on one cloud until all three hold them',
      );
      await benchConvergence(env, figures.report);
    }
    if (only.has('producer')) {
      figures.section(
        'tricloud produce into each local server: packed messages against one record per message',
      );
      await benchProducer(env, figures.report);
    }
    if (only.has('cold')) {
      const root = path.resolve(import.meta.dirname, '..');
      if (!existsSync(path.join(root, 'dist', 'aws', 'ingest', 'index.mjs'))) await build(['--json']);
      figures.section(
        'cold load: fresh process, first invocation; bundle against the same code from node_modules',
      );
      for (const [key, value] of Object.entries(await benchColdLoad(env))) {
        figures.report(key, key.replace(/^coldLoad\./, ''), value, key.endsWith('ratio') ? '×' : 'ms');
      }
    }
  } finally {
    await stack.stop();
  }
}

console.log(figures.table());
console.log(`(${((performance.now() - started) / 1000).toFixed(0)} s)`);
if (args.json) console.log(JSON.stringify(figures.values));
