/**
 * Vitest global setup of the `integration` project: starts the local stack once per run and hands every test the
 * env contract through `provide`/`inject`.
 *
 * Live mode: with `TRICLOUD_ENV_FILE=path/to/file.env`, nothing is started and the tests run against the endpoints
 * and resources that file names (another `stack up`, LocalStack, Microsoft's emulators, or real clouds provisioned
 * by Terraform). Variables of the contract already set in the environment (e.g. `AWS_ENDPOINT_URL_SQS`) make the
 * stack use those servers instead of starting its own.
 */
import type { TestProject } from 'vitest/node';
import { startLocalStack } from '../../scripts/local-stack/local-stack.ts';
import { readEnvFile } from '../../shared/config/env-file.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The env contract of `shared/config/environment.ts`: endpoints, credentials and resource names. */
    tricloudEnv: Record<string, string>;
  }
}

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const envFile = process.env.TRICLOUD_ENV_FILE;
  if (envFile !== undefined && envFile !== '') {
    project.provide('tricloudEnv', await readEnvFile(envFile));
    return undefined;
  }
  const stack = await startLocalStack();
  project.provide('tricloudEnv', stack.env);
  return () => stack.stop();
}
