/**
 * `tricloud deploy --cloud aws|gcp|azure [--plan] [--env FILE]`: builds the deployables, then runs
 * `terraform init`, `validate`, `plan` and (unless `--plan`) `apply` of that plan in `infra/<cloud>` with the
 * artifacts' paths. With `--env`, the stack's outputs named after the env contract are merged into FILE (which
 * `tricloud sync/export/verify --env` read), and the other clouds' settings in FILE reach this cloud's sync.
 */
import { access } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { readEnvFile, writeEnvFile } from '../../shared/config/env-file.ts';
import { ORIGINS } from '../../shared/core/index.ts';
import { oneOf } from '../cli/options.ts';
import { DeployError } from '../deploy/errors.ts';
import {
  checkArtifacts,
  checkPrerequisites,
  checkPublishTools,
  prepareStack,
  repoRoot,
  terraformStep,
} from '../deploy/prepare.ts';
import { contractOutputs } from '../deploy/stacks.ts';
import { terraformOutput } from '../deploy/terraform-cli.ts';

const help = `Usage: tricloud deploy --cloud aws|gcp|azure [--plan] [--env FILE] [--skip-build] [--dist DIR]

  --cloud C     the cloud whose stack (infra/<cloud>) to deploy: aws, gcp or azure
  --plan        stop after 'terraform plan' (nothing changes)
  --env FILE    read the other clouds' settings from FILE; write this stack's outputs into it
  --skip-build  use the deployables already built instead of running the build
  --dist DIR    where the deployables are (default: dist/)`;

async function fileExists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}

/** Runs the command; `env` is the environment terraform and the credential checks see. */
export async function run(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      cloud: { type: 'string' },
      plan: { type: 'boolean', default: false },
      env: { type: 'string' },
      'skip-build': { type: 'boolean', default: false },
      dist: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(help);
    return 0;
  }
  const cloud = oneOf('--cloud', values.cloud, ORIGINS);
  const envFile = values.env;
  const fileEnv = envFile !== undefined && (await fileExists(envFile)) ? await readEnvFile(envFile) : {};
  const callerEnv = { ...fileEnv, ...env };
  const binary = await checkPrerequisites(cloud, callerEnv);
  await checkPublishTools(cloud, callerEnv);

  const distDir = values.dist ?? path.join(repoRoot, 'dist');
  if (!values['skip-build']) {
    const build = await import('./build.ts');
    const code = await build.run([]);
    if (code !== 0) throw new DeployError(`The build failed (exit code ${code}); nothing was deployed.`);
  }
  await checkArtifacts(cloud, distDir);

  const { run: tf, artifactArgs } = prepareStack(cloud, binary, callerEnv, distDir);
  await terraformStep(tf, ['init', '-input=false']);
  // Validation needs the providers init downloaded; the tests check formatting and wiring without them.
  await terraformStep(tf, ['validate']);
  await terraformStep(tf, ['plan', '-input=false', '-out=.terraform/tfplan', ...artifactArgs]);
  if (values.plan) return 0;
  await terraformStep(tf, ['apply', '-input=false', '.terraform/tfplan']);

  if (envFile !== undefined) {
    const outputs = JSON.parse(await terraformOutput(tf, ['output', '-json'])) as Record<
      string,
      { value: unknown }
    >;
    const written = contractOutputs(outputs);
    await writeEnvFile(envFile, { ...fileEnv, ...written });
    console.log(`Wrote ${Object.keys(written).length} ${cloud} settings to ${envFile}.`);
  }
  return 0;
}
