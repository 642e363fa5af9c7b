/**
 * Whether the Terraform providers of a cloud will find credentials, checked before anything is built or planned,
 * so a missing login is one sentence naming the ways to log in rather than a provider stack trace. The check looks
 * for the sources each provider reads (environment variables, the CLIs' credential files); it does not call the
 * cloud, so an expired login still surfaces from Terraform itself.
 */
import { access } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Origin } from '../../shared/core/index.ts';
import { MissingCredentialsError } from './errors.ts';
import type { Env } from './terraform-cli.ts';

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}

const set = (env: Env, name: string) => (env[name] ?? '') !== '';

async function awsCredentials(env: Env, home: string): Promise<string | undefined> {
  if (set(env, 'AWS_ACCESS_KEY_ID') && set(env, 'AWS_SECRET_ACCESS_KEY')) return undefined;
  if (set(env, 'AWS_PROFILE') || set(env, 'AWS_WEB_IDENTITY_TOKEN_FILE')) return undefined;
  if (set(env, 'AWS_CONTAINER_CREDENTIALS_FULL_URI') || set(env, 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI'))
    return undefined;
  const files = [
    env.AWS_SHARED_CREDENTIALS_FILE || path.join(home, '.aws', 'credentials'),
    env.AWS_CONFIG_FILE || path.join(home, '.aws', 'config'),
  ];
  for (const file of files) if (await exists(file)) return undefined;
  return (
    'No AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for ' +
    "temporary ones), or AWS_PROFILE, or log in with 'aws configure' / 'aws sso login'."
  );
}

async function gcpCredentials(env: Env, home: string): Promise<string | undefined> {
  const problems: string[] = [];
  const keyFile = env.GOOGLE_APPLICATION_CREDENTIALS;
  const adcFile = path.join(
    env.CLOUDSDK_CONFIG || path.join(home, '.config', 'gcloud'),
    'application_default_credentials.json',
  );
  const hasCredentials =
    set(env, 'GOOGLE_CREDENTIALS') ||
    set(env, 'GOOGLE_OAUTH_ACCESS_TOKEN') ||
    (keyFile !== undefined && keyFile !== '' && (await exists(keyFile))) ||
    (await exists(adcFile));
  if (!hasCredentials) {
    problems.push(
      keyFile
        ? `GOOGLE_APPLICATION_CREDENTIALS names ${keyFile}, which does not exist; point it at a credentials file or run 'gcloud auth application-default login'.`
        : "No Google Cloud credentials found: run 'gcloud auth application-default login', or set GOOGLE_APPLICATION_CREDENTIALS to a credentials file (a workload identity federation configuration in CI).",
    );
  }
  if (!set(env, 'GOOGLE_CLOUD_PROJECT') && !set(env, 'TF_VAR_project_id')) {
    problems.push('No project given: set GOOGLE_CLOUD_PROJECT to the project to deploy into.');
  }
  return problems.length > 0 ? problems.join(' ') : undefined;
}

async function azureCredentials(env: Env, home: string): Promise<string | undefined> {
  const problems: string[] = [];
  const servicePrincipal =
    set(env, 'ARM_CLIENT_ID') &&
    (set(env, 'ARM_CLIENT_SECRET') ||
      set(env, 'ARM_CLIENT_CERTIFICATE_PATH') ||
      env.ARM_USE_OIDC === 'true' ||
      env.ARM_USE_MSI === 'true');
  const azureCli = await exists(
    path.join(env.AZURE_CONFIG_DIR || path.join(home, '.azure'), 'azureProfile.json'),
  );
  if (!servicePrincipal && !azureCli && env.ARM_USE_MSI !== 'true') {
    problems.push(
      "No Azure credentials found: run 'az login', or set ARM_CLIENT_ID with ARM_CLIENT_SECRET (or ARM_USE_OIDC=true in CI).",
    );
  }
  if (!set(env, 'ARM_SUBSCRIPTION_ID') && !set(env, 'TF_VAR_subscription_id')) {
    problems.push("No subscription given: set ARM_SUBSCRIPTION_ID (see 'az account show --query id').");
  }
  return problems.length > 0 ? problems.join(' ') : undefined;
}

const checks: Record<Origin, (env: Env, home: string) => Promise<string | undefined>> = {
  aws: awsCredentials,
  gcp: gcpCredentials,
  azure: azureCredentials,
};

/** Throws a {@link MissingCredentialsError} when the cloud's Terraform provider would find no credentials. */
export async function checkCredentials(cloud: Origin, env: Env): Promise<void> {
  const problem = await checks[cloud](env, env.HOME || os.homedir());
  if (problem !== undefined) {
    throw new MissingCredentialsError(`Cannot deploy to ${cloud}. ${problem}`);
  }
}
