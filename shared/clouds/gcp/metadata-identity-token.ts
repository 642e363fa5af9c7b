/**
 * An OpenID Connect ID token of the function's own service account, signed by Google, from the metadata server that
 * every Google Cloud runtime serves (Cloud Functions, Cloud Run, Compute Engine). AWS STS trades it for a role's
 * credentials (`AssumeRoleWithWebIdentity`), so GCP's sync reads DynamoDB with no AWS key. Its `aud` is the audience
 * asked for here; `sub` and `azp` are the service account's unique id: the role's trust policy pins all three
 * (infra/aws/federation.tf). `format=full` adds the account's email, which STS ignores but a refusal may name.
 */
import { describeFailure, WebIdentityError } from '../web-identity-error.ts';

export interface MetadataIdentityTokenRequest {
  /** `host[:port]`: `metadata.google.internal` on Google Cloud, `GCE_METADATA_HOST` elsewhere (tests). */
  metadataHost: string;
  audience: string;
}

const notOnGoogleCloud =
  'TRICLOUD_AWS_WEB_IDENTITY=gcp-metadata works only on Google Cloud (a Cloud Function, Cloud Run, Compute Engine); ' +
  'elsewhere unset TRICLOUD_AWS_ROLE_ARN and TRICLOUD_AWS_WEB_IDENTITY and give AWS keys (development only).';

/** The token (a JWT), or a {@link WebIdentityError} that says what to fix. */
export async function metadataIdentityToken(request: MetadataIdentityTokenRequest): Promise<string> {
  const url = new URL(
    `http://${request.metadataHost}/computeMetadata/v1/instance/service-accounts/default/identity`,
  );
  url.searchParams.set('audience', request.audience);
  url.searchParams.set('format', 'full');
  let response: Response;
  try {
    // The header proves the request comes from the instance itself, not through a proxy it was tricked into.
    response = await fetch(url, {
      headers: { 'Metadata-Flavor': 'Google' },
      signal: AbortSignal.timeout(10_000),
    });
  } catch (error) {
    throw new WebIdentityError(
      `Could not reach Google's metadata server at ${request.metadataHost} for an identity token (${describeFailure(error)}). ${notOnGoogleCloud}`,
      { cause: error },
    );
  }
  const body = (await response.text()).trim();
  if (!response.ok) {
    throw new WebIdentityError(
      `Google's metadata server at ${request.metadataHost} gave no identity token for audience '${request.audience}' ` +
        `(HTTP ${response.status}: ${body.slice(0, 200)}). The function must run as a service account of its own ` +
        "(infra/gcp sets the sync function's), and TRICLOUD_AWS_WEB_IDENTITY_AUDIENCE must be what the AWS role trusts.",
    );
  }
  if (body.split('.').length !== 3) {
    throw new WebIdentityError(
      `Google's metadata server at ${request.metadataHost} answered without a token (not a JWT). ${notOnGoogleCloud}`,
    );
  }
  return body;
}
