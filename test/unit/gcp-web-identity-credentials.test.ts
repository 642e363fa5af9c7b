/**
 * Azure's sync reaching Google Cloud with its managed identity instead of a key: the credential the environment
 * contract builds at run time (an `external_account` with a URL-sourced subject token), read by the same
 * google-auth-library that Firestore's client (google-gax) uses, against loopback stand-ins for the Functions
 * managed identity endpoint, Google's STS and IAM Credentials: the identity token is asked for the audience with the
 * platform's header, exchanged through the provider, and the service account impersonated. And what it refuses.
 */
import { GoogleAuth } from 'google-gax';
import { afterEach, describe, expect, it } from 'vitest';
import { readGcpStoreSettings } from '../../shared/config/environment.ts';
import { ConfigError } from '../../shared/core/index.ts';
import {
  type StandIn,
  startGoogleTokenServices,
  startManagedIdentityEndpoint,
} from '../helpers/web-identity-stand-ins.ts';

const store = {
  GOOGLE_CLOUD_PROJECT: 'my-project',
  TRICLOUD_FIRESTORE_AGGREGATES_COLLECTION: 'aggregates',
  TRICLOUD_FIRESTORE_DEAD_LETTERS_COLLECTION: 'deadLetters',
  TRICLOUD_FIRESTORE_SYNC_STATE_COLLECTION: 'syncState',
};
const provider = 'projects/123456789/locations/global/workloadIdentityPools/tricloud-azure/providers/entra';
const serviceAccount = 'tricloud-azure-sync@my-project.iam.gserviceaccount.com';
const federation = (identityEndpoint: string) => ({
  ...store,
  TRICLOUD_GCP_WEB_IDENTITY: 'azure-managed-identity',
  TRICLOUD_GCP_WORKLOAD_IDENTITY_PROVIDER: provider,
  TRICLOUD_GCP_SERVICE_ACCOUNT: serviceAccount,
  IDENTITY_ENDPOINT: identityEndpoint,
  IDENTITY_HEADER: 'header-secret',
});

const open: StandIn[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
});

describe('the managed identity as a Google credential', () => {
  it('is the token exchange infra/gcp trusts, for the azure-sync service account', () => {
    const { credentials } = readGcpStoreSettings(federation('http://localhost:8081/msi/token'));
    expect(credentials).toEqual({
      type: 'external_account',
      audience: `//iam.googleapis.com/${provider}`,
      subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
      token_url: 'https://sts.googleapis.com/v1/token',
      service_account_impersonation_url: `https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/${serviceAccount}:generateAccessToken`,
      credential_source: {
        url: 'http://localhost:8081/msi/token?resource=api%3A%2F%2FAzureADTokenExchange&api-version=2019-08-01',
        headers: { 'X-IDENTITY-HEADER': 'header-secret' },
        format: { type: 'json', subject_token_field_name: 'access_token' },
      },
    });
  });

  it('gets a Google token through google-gax’s auth: identity token, exchange, impersonation', async () => {
    const identity = await startManagedIdentityEndpoint('header-secret');
    const google = await startGoogleTokenServices();
    open.push(identity, google);
    const { credentials } = readGcpStoreSettings(federation(`${identity.url}/msi/token`));
    // Google's endpoints, on loopback; everything else as the app builds it.
    const local = {
      ...credentials,
      token_url: `${google.url}/v1/token`,
      service_account_impersonation_url: `${google.url}/v1/projects/-/serviceAccounts/${serviceAccount}:generateAccessToken`,
    };

    const auth = new GoogleAuth({
      credentials: local,
      scopes: ['https://www.googleapis.com/auth/cloud-platform'],
    });
    const token = await (await auth.getClient()).getAccessToken();

    expect(token.token).toBe('service-account-token');
    expect(identity.requests).toEqual([{ audience: 'api://AzureADTokenExchange', header: 'header-secret' }]);
    const [exchange, impersonation, ...more] = google.calls;
    expect(more).toEqual([]);
    const form = new URLSearchParams(exchange!.body);
    expect(form.get('audience')).toBe(`//iam.googleapis.com/${provider}`);
    expect(form.get('subject_token')).toBe(identity.tokens[0]);
    expect(form.get('subject_token_type')).toBe('urn:ietf:params:oauth:token-type:jwt');
    expect(impersonation!.path).toBe(`/v1/projects/-/serviceAccounts/${serviceAccount}:generateAccessToken`);
    expect(impersonation!.authorization).toBe('Bearer federated-access-token');
  });

  it.each([
    [{ TRICLOUD_GCP_WEB_IDENTITY: 'gcp-metadata' }, /must be azure-managed-identity/],
    [
      { TRICLOUD_GCP_WORKLOAD_IDENTITY_PROVIDER: undefined },
      /TRICLOUD_GCP_WORKLOAD_IDENTITY_PROVIDER is not: set both from the outputs of infra\/gcp/,
    ],
    [
      { TRICLOUD_GCP_WORKLOAD_IDENTITY_PROVIDER: 'tricloud-azure' },
      /must be a workload identity pool provider name/,
    ],
    [{ TRICLOUD_GCP_SERVICE_ACCOUNT: 'tricloud-azure-sync' }, /must be a service account email/],
    [
      { IDENTITY_HEADER: undefined },
      /needs IDENTITY_ENDPOINT and IDENTITY_HEADER.*turn on the app's identity/,
    ],
    [
      { TRICLOUD_GCP_CREDENTIALS_JSON: '{"type":"service_account","client_email":"a","private_key":"k"}' },
      /both set/,
    ],
  ])('refuses %o, naming what to fix', (change, message) => {
    const read = () => readGcpStoreSettings({ ...federation('http://localhost:8081/msi/token'), ...change });
    expect(read).toThrow(ConfigError);
    expect(read).toThrow(message);
  });
});
