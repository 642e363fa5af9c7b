/**
 * What `tricloud deploy` and `tricloud destroy` do before Terraform runs: find the binary and the credentials
 * (both fail fast, before a minute of building), make sure the deployables exist, and assemble the arguments and
 * environment of the cloud's stack.
 */
import { access } from 'node:fs/promises';
import path from 'node:path';
import type { Origin } from '../../shared/core/index.ts';
import { checkCredentials } from './credentials.ts';
import { DeployError } from './errors.ts';
import { artifactVariables, environmentVariables, terraformEnv } from './stacks.ts';
import { type Env, findTerraform, type TerraformRun } from './terraform-cli.ts';

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
