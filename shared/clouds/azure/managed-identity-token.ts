/**
 * An Entra ID token of the Function App's managed identity, from the endpoint the Functions host serves to the app
 * (`IDENTITY_ENDPOINT`, guarded by `IDENTITY_HEADER`, both set by the platform when the app has an identity). AWS STS
 * trades it for a role's credentials (`AssumeRoleWithWebIdentity`), so Azure's sync reads DynamoDB with no AWS key.
 * The resource asked for becomes the token's audience; `sub` is the identity's object (principal) id: the role's
 * trust policy pins both, and the IAM OIDC provider the issuer (infra/aws/federation.tf).
 */
import { describeFailure, WebIdentityError } from '../web-identity-error.ts';

export interface ManagedIdentityTokenRequest {
  identityEndpoint: string;
  identityHeader: string;
  /** The resource (audience): `api://AzureADTokenExchange`, or an app registration's application ID URI. */
  resource: string;
}

/** The App Service / Functions managed identity protocol's version that takes `X-IDENTITY-HEADER`. */
const apiVersion = '2019-08-01';

const fix =
  "Turn on the Function App's managed identity (infra/azure does) and set TRICLOUD_AWS_WEB_IDENTITY_AUDIENCE to a " +
  'resource Entra ID issues tokens for (api://AzureADTokenExchange, or your application ID URI) that the AWS role trusts.';

/** The token (a JWT), or a {@link WebIdentityError} that says what to fix. */
export async function managedIdentityToken(request: ManagedIdentityTokenRequest): Promise<string> {
  const url = new URL(request.identityEndpoint);
  url.searchParams.set('resource', request.resource);
  url.searchParams.set('api-version', apiVersion);
  let response: Response;
  try {
    response = await fetch(url, {
      headers: { 'X-IDENTITY-HEADER': request.identityHeader },
      signal: AbortSignal.timeout(10_000),
    });
  } catch (error) {
    throw new WebIdentityError(
      `Could not reach the managed identity endpoint ${url.origin} for an Entra ID token (${describeFailure(error)}). ${fix}`,
      { cause: error },
    );
  }
  const body = await response.text();
  if (!response.ok) {
    throw new WebIdentityError(
      `The managed identity endpoint gave no token for resource '${request.resource}' (HTTP ${response.status}: ` +
        `${body.slice(0, 300)}). ${fix}`,
    );
  }
  const token = accessToken(body);
  if (token === undefined) {
    throw new WebIdentityError(
      `The managed identity endpoint ${url.origin} answered without an access_token. ${fix}`,
    );
  }
  return token;
}

function accessToken(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as { access_token?: unknown };
    return typeof parsed.access_token === 'string' && parsed.access_token !== ''
      ? parsed.access_token
      : undefined;
  } catch {
    return undefined;
  }
}
