/**
 * The token source a function's settings name, as a function that fetches a fresh token: Google's metadata server or
 * Azure's managed identity endpoint. The AWS credential provider takes it injected, so the AWS adapter needs neither
 * platform and a test can serve both from loopback.
 */
import { managedIdentityToken } from './azure/managed-identity-token.ts';
import { metadataIdentityToken } from './gcp/metadata-identity-token.ts';
import type { AwsWebIdentity } from './settings.ts';

export type IdentityToken = () => Promise<string>;

export function identityTokenSource(identity: AwsWebIdentity): IdentityToken {
  const source = identity.tokenSource;
  switch (source.platform) {
    case 'gcp-metadata':
      return () => metadataIdentityToken({ metadataHost: source.metadataHost, audience: identity.audience });
    case 'azure-managed-identity':
      return () =>
        managedIdentityToken({
          identityEndpoint: source.identityEndpoint,
          identityHeader: source.identityHeader,
          resource: identity.audience,
        });
  }
}
