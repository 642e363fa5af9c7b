/**
 * `tricloud sync --into aws|gcp|azure [--env FILE] [--json]`: one sync pass into one cloud, pulling the other
 * two — the same code the scheduled sync functions run. Prints what it did per source.
 */
import { parseArgs } from 'node:util';
import { syncRuntime } from '../../functions/sync-runtime.ts';
import { ORIGINS } from '../../shared/core/index.ts';
import { loadCloudEnv } from '../cli/cloud-env.ts';
import { oneOf } from '../cli/options.ts';

const usage = `Usage: tricloud sync --into aws|gcp|azure [--env FILE] [--json]

Runs one sync pass: the target cloud pulls the changes of the other two since its watermarks.
Settings: TRICLOUD_SYNC_BUDGET, TRICLOUD_SYNC_OVERLAP, TRICLOUD_SYNC_PAGE_SIZE (see README).`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      into: { type: 'string' },
      env: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const into = oneOf('--into', values.into, ORIGINS);
  await loadCloudEnv(values.env);
  process.env.TRICLOUD_LOG_LEVEL ??= 'warn';
  const report = await syncRuntime(into)();
  if (values.json) {
    console.log(JSON.stringify({ into, ...report }));
  } else {
    for (const s of report.sources) {
      const lag = s.lagMs === undefined ? 'caught up' : `lag ${(s.lagMs / 1000).toFixed(1)} s`;
      const state = s.error
        ? `FAILED: ${s.error}`
        : s.complete
          ? 'complete'
          : 'budget reached, continues next run';
      console.log(
        `${s.source} → ${into}: read ${s.read}, merged ${s.merged}, written ${s.written}, conflicts ${s.conflicts}, ${lag}; ${state}`,
      );
    }
  }
  return report.sources.some((s) => s.error) ? 1 : 0;
}
