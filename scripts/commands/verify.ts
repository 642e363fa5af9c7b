/**
 * `tricloud verify [--env FILE] [--json]`: compares the three stores' merged windows, grouped per series and
 * UTC day with a digest each, and names every window that differs. Exit status 0 when identical, 1 otherwise.
 */
import { parseArgs } from 'node:util';
import { compareExports, ORIGINS } from '../../shared/core/index.ts';
import { loadCloudEnv } from '../cli/cloud-env.ts';
import { readExports } from '../cli/read-exports.ts';

const usage = `Usage: tricloud verify [--env FILE] [--json]

Reads every merged window of DynamoDB, Firestore and Cosmos DB, compares them per series and day, and names the
windows that differ, then the windows any store marks not exact (clouds holding partly overlapping records, or
different records under the same ids: a conflict, named). Exits 0 when the three stores are identical, 1 when they
are not.`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      env: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const env = await loadCloudEnv(values.env);
  const exports = await Promise.all(ORIGINS.map((o) => readExports(o, env)));
  const result = compareExports(Object.fromEntries(ORIGINS.map((o, i) => [o, exports[i]!])));
  if (values.json) {
    console.log(JSON.stringify(result));
  } else {
    const counts = ORIGINS.map((o) => `${o} ${result.windows[o]}`).join(', ');
    console.log(`windows: ${counts}; series-days: ${result.groups}`);
    if (result.identical) console.log('identical: the three stores hold the same merged windows');
    for (const d of result.differing.slice(0, 50)) {
      const detail = ORIGINS.map((o) => {
        const w = d.byCloud[o];
        return `${o}=${w ? `count ${w.count} close ${w.close} volume ${w.volume}` : 'missing'}`;
      }).join('  ');
      console.log(`differs: ${d.series} ${d.window} ${new Date(d.start).toISOString()}  ${detail}`);
    }
    if (result.differing.length > 50) console.log(`… and ${result.differing.length - 50} more windows`);
    for (const w of result.inexact.slice(0, 50)) {
      const why = w.conflict ?? 'clouds hold partly overlapping records';
      console.log(
        `inexact: ${w.series} ${w.window} ${new Date(w.start).toISOString()} on ${w.clouds.join(', ')}: ${why}`,
      );
    }
    if (result.inexact.length > 50) console.log(`… and ${result.inexact.length - 50} more inexact windows`);
  }
  return result.identical ? 0 : 1;
}
