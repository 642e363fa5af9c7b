/**
 * What `tricloud deploy` and `tricloud destroy` do before Terraform runs: find the binary and the credentials
 * (both fail fast, before a minute of building), make sure the deployables exist, and assemble the arguments and
 * environment of the cloud's stack.
 */
import { access } from 'node:fs/promises';
import path from 'node:path';
import type { Origin } from '../../shared/core/index.ts';
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

export function prepareStack(cloud: Origin, binary: string, env: Env, distDir: string): PreparedStack {
  const artifacts = artifactVariables(cloud, distDir);
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
  const code = await terraform(run, args);
  if (code !== 0) {
    throw new DeployError(
      `'terraform ${args[0]}' in ${path.relative(repoRoot, run.dir)} failed (exit code ${code}); see its output above.`,
    );
  }
}
