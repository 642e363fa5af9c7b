/**
 * `tricloud destroy --cloud aws|gcp|azure`: `terraform destroy` of `infra/<cloud>`. The stores are protected from
 * deletion by default: run `tricloud deploy` with `TF_VAR_deletion_protection=false` first to drop them too.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { readEnvFile } from '../../shared/config/env-file.ts';
import { ORIGINS } from '../../shared/core/index.ts';
import { oneOf } from '../cli/options.ts';
import {
  checkArtifacts,
  checkPrerequisites,
  prepareStack,
  repoRoot,
  terraformStep,
} from '../deploy/prepare.ts';

const help = `Usage: tricloud destroy --cloud aws|gcp|azure [--env FILE] [--auto-approve] [--dist DIR]

  --cloud C       the cloud whose stack (infra/<cloud>) to destroy: aws, gcp or azure
  --env FILE      the env file deploy used (its settings are variables of the stack)
  --auto-approve  do not ask for confirmation
  --dist DIR      where the deployables are (default: dist/)`;

export async function run(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      cloud: { type: 'string' },
      env: { type: 'string' },
      'auto-approve': { type: 'boolean', default: false },
      dist: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(help);
    return 0;
  }
  const cloud = oneOf('--cloud', values.cloud, ORIGINS);
  const fileEnv = values.env !== undefined ? await readEnvFile(values.env) : {};
  const callerEnv = { ...fileEnv, ...env };
  const binary = await checkPrerequisites(cloud, callerEnv);
  // The configuration hashes the artifacts, so destroying evaluates them too.
  const distDir = values.dist ?? path.join(repoRoot, 'dist');
  await checkArtifacts(cloud, distDir);
  const { run: tf, artifactArgs } = prepareStack(cloud, binary, callerEnv, distDir);
  const args = [
    'destroy',
    '-input=false',
    ...(values['auto-approve'] ? ['-auto-approve'] : []),
    ...artifactArgs,
  ];
  await terraformStep(tf, ['init', '-input=false']);
  await terraformStep(tf, args);
  return 0;
}
