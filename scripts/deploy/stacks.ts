/**
 * The Terraform stack of each cloud (`infra/<cloud>`): which build artifacts it takes, and the variables it gets
 * from the caller's environment — the other two clouds' settings that its sync function reads (their outputs,
 * by env-contract name, e.g. from the env file an earlier `tricloud deploy --env` wrote), the identities between
 * stacks (infra/aws trusts the identities infra/gcp and infra/azure output; they get the roles infra/aws outputs)
 * and the secrets it keeps in its own secret store. Everything goes to Terraform as `TF_VAR_*`, so values never
 * reach argv (and so `ps`) and an explicit `TF_VAR_*` the user set wins.
 */
import path from 'node:path';
import { envNames, isContractName, storeLocatorEnv } from '../../shared/config/environment.ts';
import type { Origin } from '../../shared/core/index.ts';
import { deployables } from '../build/deployables.ts';
import type { Env } from './terraform-cli.ts';

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
  // No AWS key crosses to another cloud: GCP's and Azure's sync assume a role with their own identity.
  const identities = identityVariables(cloud, env);
  const cosmosKey = env[envNames.azure.cosmosKey];
  // Azure's sync cannot be given a credentials file, so its Google credential travels as JSON text (Key Vault).
  const googleCredential = env[envNames.gcp.credentialsJson];
  const projectId = env[envNames.gcp.projectId];
  switch (cloud) {
    case 'aws':
      vars.gcp_settings = JSON.stringify(storeLocatorEnv('gcp', env));
      vars.azure_settings = JSON.stringify(storeLocatorEnv('azure', env));
      if (cosmosKey) vars.azure_cosmos_key = cosmosKey;
      break;
    case 'gcp':
      if (projectId) vars.project_id = projectId;
      vars.aws_settings = JSON.stringify(storeLocatorEnv('aws', env));
      vars.azure_settings = JSON.stringify(storeLocatorEnv('azure', env));
      vars.sync_secrets = JSON.stringify(cosmosKey ? { [envNames.azure.cosmosKey]: cosmosKey } : {});
      break;
    case 'azure':
      // The azurerm provider's own variable, not one of ours.
      if (env.ARM_SUBSCRIPTION_ID) vars.subscription_id = env.ARM_SUBSCRIPTION_ID;
      vars.aws_settings = JSON.stringify(storeLocatorEnv('aws', env));
      vars.gcp_settings = JSON.stringify(storeLocatorEnv('gcp', env));
      // Federated, the app needs no key, and refuses one alongside (gcp-web-identity.ts).
      if (googleCredential && !identities.gcp_workload_identity_provider)
        vars.gcp_credentials_json = googleCredential;
      break;
  }
  return { ...vars, ...identities };
}

/**
 * Terraform variable → the env-contract name (an output of another stack) it is read from: the identities infra/aws
 * and infra/gcp trust, the role each other stack's sync assumes, and the provider Azure's sync reaches Google through.
 */
const identityInputs: Record<Origin, Record<string, string>> = {
  aws: {
    gcp_sync_service_account_id: envNames.deploy.gcpSyncIdentity,
    azure_sync_principal_id: envNames.deploy.azureSyncIdentity,
    azure_tenant_id: envNames.deploy.azureTenantId,
  },
  gcp: {
    aws_federated_role_arn: envNames.deploy.gcpSyncRoleArn,
    azure_sync_principal_id: envNames.deploy.azureSyncIdentity,
    azure_tenant_id: envNames.deploy.azureTenantId,
  },
  azure: {
    aws_federated_role_arn: envNames.deploy.azureSyncRoleArn,
    gcp_workload_identity_provider: envNames.deploy.gcpAzureSyncProvider,
    gcp_service_account: envNames.deploy.gcpAzureSyncServiceAccount,
  },
};

function identityVariables(cloud: Origin, env: Env): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const [variable, name] of Object.entries(identityInputs[cloud])) {
    const value = env[name];
    if (value) vars[variable] = value;
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
  const out: Record<string, string> = {};
  for (const [name, { value }] of Object.entries(outputs)) {
    if (isContractName(name) && typeof value === 'string' && value !== '') out[name] = value;
  }
  return out;
}
