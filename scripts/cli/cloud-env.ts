/**
 * The environment a CLI command talks to: the process environment, overlaid with `--env FILE` when given
 * (the file `tricloud stack up --env` writes, or one that names real clouds). Loaded into `process.env` too,
 * because deployed handlers read their configuration from there.
 */

import { readEnvFile } from '../../shared/config/env-file.ts';
import { ORIGINS, type Origin } from '../../shared/core/index.ts';
import { oneOf } from './options.ts';

export async function loadCloudEnv(envFile: string | undefined): Promise<NodeJS.ProcessEnv> {
  if (envFile !== undefined) Object.assign(process.env, await readEnvFile(envFile));
  return process.env;
}

/**
 * @deprecated Use `oneOf(option, value, ORIGINS)` from `./options.ts`. Kept only for `produce.ts`, which is being rewritten
 * now; remove once it reads `--to` with `listOf('--to', values.to, ORIGINS)`.
 */
export function parseOrigin(value: string | undefined, option: string): Origin {
  return oneOf(option, value, ORIGINS);
}
