/**
 * Env files: the environment contract as `KEY=VALUE` lines, written by `tricloud stack up --env` and `tricloud deploy
 * --env`, read by every command's `--env` and by the tests' live mode. `node --env-file`, dotenv and a POSIX shell
 * (`set -a; . FILE`) read them the same way: values with characters a shell would interpret (the `;` of a
 * connection string) are single-quoted.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import { parseEnv } from 'node:util';
import { ConfigError } from '../core/errors.ts';

const shellSafe = /^[A-Za-z0-9_./:@%+,=-]*$/;

export function formatEnvFile(env: Readonly<Record<string, string>>): string {
  const lines = Object.entries(env).map(([key, value]) => {
    // Node's parser drops a carriage return even inside quotes, and nothing escapes a quote inside single quotes.
    if (/['\n\r]/.test(value)) {
      throw new ConfigError(
        `The value of ${key} cannot be written to an env file: it contains a quote or a line break.`,
      );
    }
    return shellSafe.test(value) ? `${key}=${value}` : `${key}='${value}'`;
  });
  return `${lines.join('\n')}\n`;
}

/** Writes the whole file or nothing: a reader polling for the file never sees half of it. */
export async function writeEnvFile(file: string, env: Readonly<Record<string, string>>): Promise<void> {
  const partial = `${file}.${process.pid}.partial`;
  await writeFile(partial, formatEnvFile(env), { mode: 0o600 });
  await rename(partial, file);
}

export async function readEnvFile(file: string): Promise<Record<string, string>> {
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
    throw new ConfigError(
      `the env file ${file} does not exist. \`tricloud stack up --env ${file}\` writes one for the local stack, ` +
        '`tricloud deploy --cloud <cloud> --env FILE` one for the clouds it deploys.',
    );
  });
  const parsed = parseEnv(text);
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(parsed)) if (value !== undefined) env[key] = value;
  return env;
}
