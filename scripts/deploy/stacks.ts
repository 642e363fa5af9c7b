/**
 * The Terraform stack of each cloud (`infra/<cloud>`): which build artifacts it takes, and the variables it gets
 * from the caller's environment — the other two clouds' settings that its sync function reads (their outputs,
 * by env-contract name, e.g. from the env file an earlier `tricloud deploy --env` wrote) and the secrets it
 * keeps in its own secret store. Everything goes to Terraform as `TF_VAR_*`, so values never reach argv (and so
 * `ps`) and an explicit `TF_VAR_*` the user set wins.
 */
import path from 'node:path';
import { envNames } from '../../shared/config/environment.ts';
import type { Origin } from '../../shared/core/index.ts';
import { deployables } from '../build/deployables.ts';
import type { Env } from './terraform-cli.ts';

/**
 * Keys of an AWS IAM user for the other clouds' sync functions (infra/aws creates the user `<prefix>-remote-sync`).
 * Not `AWS_ACCESS_KEY_ID`: that is the deployer's own login, which must never reach a function.
 */
export const remoteSyncKeyNames = {
  accessKeyId: 'TRICLOUD_SYNC_AWS_ACCESS_KEY_ID',
  secretAccessKey: 'TRICLOUD_SYNC_AWS_SECRET_ACCESS_KEY',
} as const;

/** The env-contract variables of a cloud's store that sync elsewhere reads and that carry no secret. */
const settingNames: Record<Origin, readonly string[]> = {
  aws: [
    envNames.aws.region,
    envNames.aws.aggregatesTable,
    envNames.aws.changesIndex,
    envNames.aws.deadLettersTable,
  ],
  gcp: [
    envNames.gcp.projectId,
    envNames.gcp.aggregatesCollection,
    envNames.gcp.deadLettersCollection,
    envNames.gcp.syncStateCollection,
  ],
  azure: [
    envNames.azure.cosmosEndpoint,
    envNames.azure.cosmosDatabase,
    envNames.azure.aggregatesContainer,
    envNames.azure.deadLettersContainer,
    envNames.azure.syncStateContainer,
  ],
};

function pick(env: Env, names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of names) {
    const value = env[name];
    if (value !== undefined && value !== '') out[name] = value;
  }
  return out;
}

/** The zip paths each stack's variables take, from the build's deployables. */
export function artifactVariables(cloud: Origin, distDir: string): Record<string, string> {
  const zip = (name: string) => {
    const d = deployables.find((x) => x.name === name);
    if (!d) throw new Error(`No deployable named ${name} in scripts/build/deployables.ts.`);
    return path.join(distDir, d.zip);
  };
  switch (cloud) {
    case 'aws':
      return { ingest_zip: zip('aws-ingest'), sync_zip: zip('aws-sync'), read_zip: zip('aws-read') };
    case 'gcp':
      return { functions_zip: zip('gcp-functions') };
    case 'azure':
      return { functionapp_zip: zip('azure-functionapp') };
  }
}

/** Terraform variables (name → value; maps JSON-encoded) a cloud's stack takes from the environment. */
export function environmentVariables(cloud: Origin, env: Env): Record<string, string> {
  const vars: Record<string, string> = {};
  const remoteKeys = {
    ...(env[remoteSyncKeyNames.accessKeyId]
      ? { AWS_ACCESS_KEY_ID: env[remoteSyncKeyNames.accessKeyId] }
      : {}),
    ...(env[remoteSyncKeyNames.secretAccessKey]
      ? { AWS_SECRET_ACCESS_KEY: env[remoteSyncKeyNames.secretAccessKey] }
      : {}),
  };
  const cosmosKey = env[envNames.azure.cosmosKey];
  // Azure's sync cannot be given a credentials file, so its Google credential travels as JSON text (Key Vault).
  const googleCredential = env[envNames.gcp.credentialsJson];
  switch (cloud) {
    case 'aws':
      vars.gcp_settings = JSON.stringify(pick(env, settingNames.gcp));
      vars.azure_settings = JSON.stringify(pick(env, settingNames.azure));
      if (cosmosKey) vars.azure_cosmos_key = cosmosKey;
      break;
    case 'gcp':
      if (env.GOOGLE_CLOUD_PROJECT) vars.project_id = env.GOOGLE_CLOUD_PROJECT;
      vars.aws_settings = JSON.stringify(pick(env, settingNames.aws));
      vars.azure_settings = JSON.stringify(pick(env, settingNames.azure));
      vars.sync_secrets = JSON.stringify({ ...remoteKeys, ...(cosmosKey ? { COSMOS_KEY: cosmosKey } : {}) });
      break;
    case 'azure':
      if (env.ARM_SUBSCRIPTION_ID) vars.subscription_id = env.ARM_SUBSCRIPTION_ID;
      vars.aws_settings = JSON.stringify(pick(env, settingNames.aws));
      vars.gcp_settings = JSON.stringify(pick(env, settingNames.gcp));
      vars.sync_secrets = JSON.stringify(remoteKeys);
      if (googleCredential) vars.gcp_credentials_json = googleCredential;
      break;
  }
  return vars;
}

/** The environment terraform runs with: the caller's, plus `TF_VAR_*` for every variable the caller did not set. */
export function terraformEnv(env: Env, variables: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  for (const [name, value] of Object.entries(variables)) {
    const key = `TF_VAR_${name}`;
    if (out[key] === undefined || out[key] === '') out[key] = value;
  }
  out.TF_IN_AUTOMATION = '1';
  return out;
}

/** The env-contract names among a stack's outputs: what `--env` receives. */
export function contractOutputs(outputs: Record<string, { value: unknown }>): Record<string, string> {
  const contract = new Set<string>(Object.values(envNames).flatMap((names) => Object.values(names)));
  const out: Record<string, string> = {};
  for (const [name, { value }] of Object.entries(outputs)) {
    if (contract.has(name) && typeof value === 'string' && value !== '') out[name] = value;
  }
  return out;
}
