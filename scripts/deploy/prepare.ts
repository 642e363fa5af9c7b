/**
 * What `tricloud deploy` and `tricloud destroy` do before Terraform runs: find the binary and the credentials
 * (both fail fast, before a minute of building), make sure the deployables exist, and assemble the arguments and
 * environment of the cloud's stack.
 */
import { existsSync } from 'node:fs';
import { access } from 'node:fs/promises';
import path from 'node:path';
import type { Origin } from '../../shared/core/index.ts';
import { gcpCredentialsZip } from '../build/credentials-zip.ts';
import { checkCredentials } from './credentials.ts';
import { DeployError, MissingCredentialsError } from './errors.ts';
import { artifactVariables, environmentVariables, terraformEnv } from './stacks.ts';
import { type Env, findOnPath, findTerraform, type TerraformRun, terraform } from './terraform-cli.ts';

export const repoRoot = path.resolve(import.meta.dirname, '..', '..');

export interface PreparedStack {
  run: TerraformRun;
  /** `-var name=path` for each build artifact the stack takes. */
  artifactArgs: string[];
}

/** Checks the binary and credentials; throws the first problem as a sentence naming the fix. */
export async function checkPrerequisites(cloud: Origin, env: Env): Promise<string> {
  const binary = await findTerraform(env);
  await checkCredentials(cloud, env);
  return binary;
}

/**
 * Tools a stack runs besides terraform: Azure's publishes the Function App package with the Azure CLI (see
 * infra/azure/function-app.tf), so a deploy without `az` would fail after creating everything.
 */
export async function checkPublishTools(cloud: Origin, env: Env): Promise<void> {
  if (cloud !== 'azure' || (await findOnPath('az', env)) !== undefined) return;
  throw new MissingCredentialsError(
    "Cannot deploy to azure. The Azure CLI ('az') is not on PATH; it publishes the Function App package " +
      '(Flex Consumption). Install it (https://learn.microsoft.com/cli/azure/install-azure-cli) and log in with ' +
      "'az login' (or 'az login --service-principal' in CI).",
  );
}

/** Fails unless every artifact the stack takes is built. */
export async function checkArtifacts(cloud: Origin, distDir: string): Promise<void> {
  for (const file of Object.values(artifactVariables(cloud, distDir))) {
    try {
      await access(file);
    } catch (error) {
      throw new DeployError(
        `The deployable ${path.relative(repoRoot, file)} is missing. Run 'npm run build' (or drop --skip-build).`,
        { cause: error },
      );
    }
  }
}

/**
 * Artifacts a stack takes only when the build made them: AWS sync's Google credential layer, which the build writes
 * when TRICLOUD_AWS_SYNC_GCP_CREDENTIAL_CONFIG is set (scripts/build/credentials-zip.ts).
 */
export function optionalArtifactVariables(cloud: Origin, distDir: string): Record<string, string> {
  const layer = path.join(distDir, gcpCredentialsZip);
  return cloud === 'aws' && existsSync(layer) ? { gcp_credentials_zip: layer } : {};
}

export function prepareStack(cloud: Origin, binary: string, env: Env, distDir: string): PreparedStack {
  const artifacts = { ...artifactVariables(cloud, distDir), ...optionalArtifactVariables(cloud, distDir) };
  return {
    run: {
      binary,
      dir: path.join(repoRoot, 'infra', cloud),
      env: terraformEnv(env, environmentVariables(cloud, env)),
    },
    artifactArgs: Object.entries(artifacts).flatMap(([name, file]) => ['-var', `${name}=${file}`]),
  };
}

/** Runs one terraform step of a stack; a failure throws, naming the step and the stack's folder. */
export async function terraformStep(run: TerraformRun, args: string[]): Promise<void> {
  const lockFile = path.join(run.dir, '.terraform.lock.hcl');
  const locked = existsSync(lockFile);
  const code = await terraform(run, args);
  if (code !== 0) {
    throw new DeployError(
      `'terraform ${args[0]}' in ${path.relative(repoRoot, run.dir)} failed (exit code ${code}); see its output above.`,
    );
  }
  const notice = args[0] === 'init' ? lockFileNotice(lockFile, locked) : undefined;
  if (notice) console.log(notice);
}

/**
 * What to say after `terraform init` about the dependency lock file: the repository ships none (the providers'
 * checksums come from registry.terraform.io, which its own build cannot reach), so the first init writes it, and
 * it must be committed for every later init — a colleague's, CI's — to install the very same provider builds.
 */
export function lockFileNotice(lockFile: string, existedBefore: boolean): string | undefined {
  if (existedBefore || !existsSync(lockFile)) return undefined;
  return (
    `terraform init wrote ${path.relative(repoRoot, lockFile)} (the providers' versions and checksums). Commit it, ` +
    'so every later deploy installs the same providers.'
  );
}
