/** The env file `stack up` writes and every command's `--env` reads. */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseEnv } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatEnvFile, readEnvFile, writeEnvFile } from '../../shared/config/env-file.ts';

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

  it('read back any value without a quote or a newline, as Node and a shell read them', () => {
    const value = fc.string({ unit: 'binary', maxLength: 40 }).filter((v) => !/['\n\r]/.test(v));
    fc.assert(
      fc.property(fc.dictionary(fc.stringMatching(/^[A-Z_][A-Z0-9_]{0,20}$/), value), (env) => {
        expect(parseEnv(formatEnvFile(env))).toEqual(env);
      }),
    );
  });

  it('refuse a value they could not read back, naming the variable', () => {
    expect(() => formatEnvFile({ EVENTHUB_NAME: 'records\r' })).toThrow(/EVENTHUB_NAME/);
    expect(() => formatEnvFile({ COSMOS_KEY: "it's" })).toThrow(
      'The value of COSMOS_KEY cannot be written to an env file: it contains a quote or a line break.',
    );
  });
});
