/** The env file `stack up` writes and every command's `--env` reads. */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readEnvFile, writeEnvFile } from '../../shared/config/env-file.ts';

describe('env files', () => {
  it('read back what was written, a connection string with semicolons included', async () => {
    const file = path.join(await mkdtemp(path.join(tmpdir(), 'env-')), 'stack.env');
    const env = {
      AWS_REGION: 'eu-central-1',
      EVENTHUB_CONNECTION_STRING: 'Endpoint=sb://127.0.0.1:5672;SharedAccessKeyName=local;SharedAccessKey=k=',
    };
    await writeEnvFile(file, env);
    expect(await readEnvFile(file)).toEqual(env);
  });

  it('name a missing file and the commands that write one', async () => {
    const file = path.join(await mkdtemp(path.join(tmpdir(), 'env-')), 'missing.env');
    await expect(readEnvFile(file)).rejects.toThrow(
      `the env file ${file} does not exist. \`tricloud stack up --env ${file}\` writes one`,
    );
  });
});
