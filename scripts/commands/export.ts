/**
 * `tricloud export --cloud aws|gcp|azure --out FILE [--env FILE]`: the cloud's merged windows in the export
 * format of DESIGN §2, one JSON object per line, sorted by series, then window, then start.
 */
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { ORIGINS } from '../../shared/core/index.ts';
import { loadCloudEnv } from '../cli/cloud-env.ts';
import { OptionError, oneOf } from '../cli/options.ts';
import { readExports } from '../cli/read-exports.ts';

const usage = `Usage: tricloud export --cloud aws|gcp|azure --out FILE [--env FILE]

Writes every merged window of one cloud's store as NDJSON: {"series","window","start","open","high","low",
"close","volume","vwap","count"}, sorted by series, window, start. --out - writes to standard output.`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      cloud: { type: 'string' },
      out: { type: 'string' },
      env: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const cloud = oneOf('--cloud', values.cloud, ORIGINS);
  if (!values.out)
    throw new OptionError('--out', '--out FILE is required (use --out - for standard output).');
  const env = await loadCloudEnv(values.env);
  const windows = await readExports(cloud, env);
  const text = windows.map((w) => JSON.stringify(w)).join('\n') + (windows.length ? '\n' : '');
  if (values.out === '-') process.stdout.write(text);
  else {
    await writeFile(values.out, text);
    console.error(`exported ${windows.length} windows from ${cloud} to ${values.out}`);
  }
  return 0;
}
