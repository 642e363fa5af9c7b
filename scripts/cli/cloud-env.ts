/**
 * The environment a CLI command talks to: the process environment, overlaid with `--env FILE` when given
 * (the file `tricloud stack up --env` writes, or one that names real clouds). Loaded into `process.env` too,
 * because deployed handlers read their configuration from there.
 */

import { readEnvFile } from '../../shared/config/env-file.ts';

export async function loadCloudEnv(envFile: string | undefined): Promise<NodeJS.ProcessEnv> {
  if (envFile !== undefined) Object.assign(process.env, await readEnvFile(envFile));
  return process.env;
}
