/**
 * The part of Google Cloud's contract Azure's sync reads to reach Firestore without a key: workload identity
 * federation. The Function App's managed identity token (from the endpoint the platform serves it) is the subject
 * token Google's STS exchanges, through the workload identity pool provider infra/gcp creates for the tenant, for a
 * token of the service account the provider's principal may impersonate. The result is an `external_account`
 * credential like one `gcloud iam workload-identity-pools create-cred-config` writes, built here at run time because
 * the endpoint's guard header (`IDENTITY_HEADER`) exists only in the running app's environment.
 *
 * | variable | meaning |
 * |---|---|
 * | `TRICLOUD_GCP_WEB_IDENTITY` | the token source: `azure-managed-identity` |
 * | `TRICLOUD_GCP_WORKLOAD_IDENTITY_PROVIDER` | `projects/<number>/locations/global/workloadIdentityPools/<pool>/providers/<provider>` |
 * | `TRICLOUD_GCP_SERVICE_ACCOUNT` | the service account to act as (its Firestore permissions apply) |
 * | `TRICLOUD_GCP_WEB_IDENTITY_AUDIENCE` | the resource the managed identity token is asked for (`api://AzureADTokenExchange`) |
 */
import type { GcpCredentials } from '../../clouds/settings.ts';
import { ConfigError } from '../../core/errors.ts';
import { platformIdentityNames } from './platform-identity.ts';
import { type Env, optional } from './values.ts';

export const gcpWebIdentityNames = {
  tokenSource: 'TRICLOUD_GCP_WEB_IDENTITY',
  workloadIdentityProvider: 'TRICLOUD_GCP_WORKLOAD_IDENTITY_PROVIDER',
  serviceAccount: 'TRICLOUD_GCP_SERVICE_ACCOUNT',
  audience: 'TRICLOUD_GCP_WEB_IDENTITY_AUDIENCE',
} as const;

/** Entra ID issues managed identity tokens for this resource in every tenant; infra/gcp's provider allows it. */
export const defaultGcpWebIdentityAudience = 'api://AzureADTokenExchange';

const providerPattern =
  /^projects\/\d+\/locations\/global\/workloadIdentityPools\/[a-z0-9-]+\/providers\/[a-z0-9-]+$/;
const serviceAccountPattern = /^[a-z0-9-]+@[a-z0-9.-]+\.iam\.gserviceaccount\.com$/;

function check(name: string, value: string, pattern: RegExp, form: string): string {
  if (!pattern.test(value)) throw new ConfigError(`${name} must be ${form}, got '${value}'.`);
  return value;
}

/**
 * The federated credential when the variables ask for one; throws a {@link ConfigError} naming the variable to fix.
 * The managed identity token is fetched by google-auth-library itself (a URL-sourced subject token).
 */
export function readGcpWebIdentityCredentials(env: Env): GcpCredentials | undefined {
  const n = gcpWebIdentityNames;
  const p = platformIdentityNames;
  const source = optional(env, n.tokenSource);
  const provider = optional(env, n.workloadIdentityProvider);
  const serviceAccount = optional(env, n.serviceAccount);
  if (source === undefined && provider === undefined && serviceAccount === undefined) return undefined;
  if (source !== 'azure-managed-identity') {
    throw new ConfigError(
      `${n.tokenSource} must be azure-managed-identity with ${n.workloadIdentityProvider} set, got '${source ?? ''}' ` +
        "(Google Cloud's own functions use their service account; AWS's use the credential configuration infra/gcp outputs).",
    );
  }
  if (provider === undefined || serviceAccount === undefined) {
    throw new ConfigError(
      `${n.tokenSource} is set but ${provider === undefined ? n.workloadIdentityProvider : n.serviceAccount} is not: ` +
        'set both from the outputs of infra/gcp (TRICLOUD_GCP_AZURE_SYNC_PROVIDER, TRICLOUD_GCP_AZURE_SYNC_SERVICE_ACCOUNT).',
    );
  }
  const endpoint = optional(env, p.azureIdentityEndpoint);
  const header = optional(env, p.azureIdentityHeader);
  if (endpoint === undefined || header === undefined) {
    throw new ConfigError(
      `${n.tokenSource}=azure-managed-identity needs ${p.azureIdentityEndpoint} and ${p.azureIdentityHeader}, which ` +
        "Azure Functions sets when the app has a managed identity: turn on the app's identity (infra/azure does), or, " +
        `off Azure, unset ${n.tokenSource} and use Application Default Credentials (development only).`,
    );
  }
  const audience = optional(env, n.audience) ?? defaultGcpWebIdentityAudience;
  const subjectTokenUrl = new URL(endpoint);
  subjectTokenUrl.searchParams.set('resource', audience);
  subjectTokenUrl.searchParams.set('api-version', '2019-08-01');
  const account = check(n.serviceAccount, serviceAccount, serviceAccountPattern, 'a service account email');
  return {
    type: 'external_account',
    audience: `//iam.googleapis.com/${check(n.workloadIdentityProvider, provider, providerPattern, 'a workload identity pool provider name (projects/<number>/locations/global/workloadIdentityPools/<pool>/providers/<provider>)')}`,
    subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
    token_url: 'https://sts.googleapis.com/v1/token',
    service_account_impersonation_url: `https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/${account}:generateAccessToken`,
    credential_source: {
      url: subjectTokenUrl.toString(),
      headers: { 'X-IDENTITY-HEADER': header },
      format: { type: 'json', subject_token_field_name: 'access_token' },
    },
  };
}
