/**
 * `npm run bench` — every figure a ratio against a baseline measured on the same input in the same run
 * (DESIGN §9). Prints a table; with `--json`, also one JSON object on the last line whose keys name each figure.
 *
 *   --records N        records of the core input (default 1,000,000)
 *   --series N         series (default 100)
 *   --per-message N    records per message (default 500)
 *   --only LIST        some of: core, bytes, clouds, cold, sync, producer, read (default all); all but core,
 *                      bytes and sync start the local stack
 */
import { parseArgs } from 'node:util';
import { buildAll } from '../build/build-all.ts';
import { startLocalStack } from '../local-stack/local-stack.ts';
import { benchCloudIngest } from './cloud-ingest.ts';
import { benchColdLoad } from './cold-load.ts';
import { benchConvergence } from './convergence.ts';
import { benchCore } from './core.ts';
import { benchProducer } from './producer.ts';
import { benchRead } from './read.ts';
import { Figures } from './report.ts';
import { BYTES_PER_MINUTE, BYTES_RECORDS, benchRangeRead, benchStoredBytes } from './stored-bytes.ts';
import { benchSyncCost } from './sync-cost.ts';

const { values: args } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    records: { type: 'string', default: '1000000' },
    series: { type: 'string', default: '100' },
    'per-message': { type: 'string', default: '500' },
    only: { type: 'string', default: 'core,bytes,clouds,cold,sync,producer,read' },
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
if (only.has('bytes')) {
  figures.section(
    `stored bytes written per record against one item per record: ${BYTES_RECORDS.toLocaleString('en-US')} records of one series at ${BYTES_PER_MINUTE.toLocaleString('en-US')}/min, 500 per message, 10 messages per invocation; item = UTF-8 bytes of JSON.stringify(toStored(doc))`,
  );
  await benchStoredBytes(figures.report);
  figures.section(
    'range read of 60 consecutive 1m windows of one series, as the store grows (in-memory store)',
  );
  await benchRangeRead(figures.report);
}
if (only.has('sync')) {
  figures.section(
    'sync: store operations of one pass with 100 changed documents, as the source grows (in-memory store)',
  );
  await benchSyncCost(figures.report);
}
if (only.has('clouds') || only.has('cold') || only.has('producer') || only.has('read')) {
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
    if (only.has('read')) {
      await benchRead(env, figures.report, (title) => figures.section(title));
    }
    if (only.has('cold')) {
      figures.section('bundles: bytes of JavaScript, of what a cold start loads, and of the zip deployed');
      // Trained on the first calls against this run's stack, as `tricloud build` trains them against its own.
      for (const b of await buildAll({ env: stack.env })) {
        figures.report(`bundle.${b.name}.bytes`, `${b.name} JavaScript`, b.bytes / 1024, 'KiB');
        figures.report(
          `bundle.${b.name}.initialBytes`,
          `${b.name} loaded at cold start`,
          b.initialBytes / 1024,
          'KiB',
        );
        figures.report(`bundle.${b.name}.zipBytes`, `${b.name} zip`, b.zipBytes / 1024, 'KiB');
      }
      figures.section(
        'cold load: fresh process, load and first invocation; the bundle against the same code from node_modules',
      );
      await benchColdLoad(env, figures.report);
    }
  } finally {
    await stack.stop();
  }
}

console.log(figures.table());
console.log(`(${((performance.now() - started) / 1000).toFixed(0)} s)`);
if (args.json) console.log(JSON.stringify(figures.values));
