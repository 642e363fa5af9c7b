/**
 * The `terraform` binary: found on PATH (or at `TRICLOUD_TERRAFORM`), run in a stack's folder with the caller's
 * environment, its output streamed or captured.
 */
import { spawn } from 'node:child_process';
import { findOnPath as findOnSearchPath, isExecutable } from '../machine/find-on-path.ts';
import { MissingTerraformError } from './errors.ts';

export type Env = Readonly<Record<string, string | undefined>>;

const installHelp =
  'Install Terraform 1.6 or newer: https://developer.hashicorp.com/terraform/install ' +
  "(e.g. 'brew install hashicorp/tap/terraform', or HashiCorp's apt repository: 'sudo apt-get install terraform'), " +
  'or set TRICLOUD_TERRAFORM to the path of a terraform (or tofu) binary.';

/** The path of the terraform binary; throws a {@link MissingTerraformError} saying how to install it. */
export async function findTerraform(env: Env): Promise<string> {
  const explicit = env.TRICLOUD_TERRAFORM;
  if (explicit) {
    if (await isExecutable(explicit)) return explicit;
    throw new MissingTerraformError(
      `TRICLOUD_TERRAFORM names ${explicit}, which is not an executable file. ${installHelp}`,
    );
  }
  const found = await findOnPath('terraform', env);
  if (found !== undefined) return found;
  throw new MissingTerraformError(`The 'terraform' command is not on PATH. ${installHelp}`);
}

/** The path of `command` on the PATH of `env`, or undefined. */
export function findOnPath(command: string, env: Env): Promise<string | undefined> {
  return findOnSearchPath(command, env.PATH);
}

export interface TerraformRun {
  binary: string;
  /** The stack's folder (`infra/<cloud>`), given to terraform as `-chdir`. */
  dir: string;
  env: Env;
}

/** Runs `terraform -chdir=<dir> <args>` with output streamed to this process; resolves to its exit code. */
export function terraform(run: TerraformRun, args: readonly string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(run.binary, [`-chdir=${run.dir}`, ...args], { env: run.env, stdio: 'inherit' });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

/** Runs terraform and returns what it wrote to stdout (stderr streamed); rejects when it fails. */
export function terraformOutput(run: TerraformRun, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(run.binary, [`-chdir=${run.dir}`, ...args], {
      env: run.env,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(chunks).toString('utf8'));
      else reject(new Error(`terraform ${args.join(' ')} exited with code ${code}.`));
    });
  });
}
