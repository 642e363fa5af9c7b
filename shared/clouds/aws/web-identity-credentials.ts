/**
 * AWS credentials for a function that runs on another cloud: its platform's identity token (Google's metadata server,
 * Azure's managed identity) traded with STS `AssumeRoleWithWebIdentity` for a role's temporary credentials, kept
 * until shortly before they expire and then traded again with a fresh token. No AWS key exists anywhere: the role's
 * trust policy names the function's identity (infra/aws/federation.tf).
 *
 * STS through `fromWebToken` (`@aws-sdk/credential-providers`): its client is the SDK's nested STS client, which the
 * bundles already carry for the default credential chain. `npm run build` measured every bundle 26 KB smaller than
 * with `@aws-sdk/client-sts`'s own client. The call is unsigned: the token is the proof.
 *
 * @example
 * const credentials = webIdentityCredentials({ roleArn, roleSessionName: 'tricloud-gcp-metadata', token, region, clock });
 * const dynamo = new DynamoDBClient({ region, credentials });
 */
import { fromWebToken } from '@aws-sdk/credential-providers';
import type { Clock } from '../../core/index.ts';
import { networkErrorCode } from '../network-errors.ts';
import { WebIdentityError } from '../web-identity-error.ts';

export interface TemporaryCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

export interface WebIdentityCredentialsOptions {
  roleArn: string;
  /** Names the session in CloudTrail: which cloud's function assumed the role. */
  roleSessionName: string;
  /** Fetches a fresh identity token from the platform. */
  token: () => Promise<string>;
  region: string;
  /** Absent means the STS endpoint of `region`. */
  stsEndpoint?: string;
  clock: Pick<Clock, 'now'>;
  /** Trade again this long before the credentials expire: the SDK's own margin, 5 minutes, by default. */
  refreshBeforeExpiryMs?: number;
}

/** A credential provider for any AWS SDK client: cached credentials while fresh, one exchange at a time. */
export function webIdentityCredentials(
  options: WebIdentityCredentialsOptions,
): () => Promise<TemporaryCredentials> {
  const margin = options.refreshBeforeExpiryMs ?? 5 * 60_000;
  let current: TemporaryCredentials | undefined;
  let exchange: Promise<TemporaryCredentials> | undefined;
  const fresh = (c: TemporaryCredentials) =>
    c.expiration === undefined || c.expiration.getTime() - options.clock.now() > margin;
  return async () => {
    if (current !== undefined && fresh(current)) return current;
    // Concurrent requests of a cold or expiring client share one exchange.
    exchange ??= assumeRole(options)
      .then((credentials) => {
        current = credentials;
        return credentials;
      })
      .finally(() => {
        exchange = undefined;
      });
    return exchange;
  };
}

async function assumeRole(options: WebIdentityCredentialsOptions): Promise<TemporaryCredentials> {
  const token = await options.token();
  try {
    return await fromWebToken({
      roleArn: options.roleArn,
      roleSessionName: options.roleSessionName,
      webIdentityToken: token,
      clientConfig: {
        region: options.region,
        ...(options.stsEndpoint !== undefined ? { endpoint: options.stsEndpoint } : {}),
      },
    })();
  } catch (error) {
    throw new WebIdentityError(refusal(options, token, error), { cause: error });
  }
}

/** Why STS said no, with what the token claims against what the role must trust: enough to fix either side. */
function refusal(options: WebIdentityCredentialsOptions, token: string, error: unknown): string {
  const sts = options.stsEndpoint ?? `STS in ${options.region}`;
  const network = networkErrorCode(error);
  if (network !== undefined) {
    return `Could not reach ${sts} to assume ${options.roleArn} (${network}). Check the function's outbound network; AWS_ENDPOINT_URL_STS, when set, must point at STS.`;
  }
  const { name, message } = error instanceof Error ? error : { name: 'Error', message: String(error) };
  return (
    `STS (${sts}) refused to let this function assume ${options.roleArn} with its identity token ` +
    `(${name}: ${message}). The token claims ${describeClaims(token)}; the role's trust policy must accept exactly ` +
    'these (infra/aws/federation.tf: deploy infra/aws with the identity infra/gcp or infra/azure outputs, ' +
    'TRICLOUD_GCP_SYNC_IDENTITY or TRICLOUD_AZURE_SYNC_IDENTITY and TRICLOUD_AZURE_TENANT_ID, and the same ' +
    'audience as TRICLOUD_AWS_WEB_IDENTITY_AUDIENCE), and TRICLOUD_AWS_ROLE_ARN must name that role.'
  );
}

/** The claims a trust policy matches — never the token itself, which is a bearer credential. */
export function describeClaims(token: string): string {
  try {
    const payload = JSON.parse(
      Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'),
    ) as Record<string, unknown>;
    const claims = ['iss', 'aud', 'sub', 'azp'].filter((k) => payload[k] !== undefined);
    return claims.length === 0
      ? 'nothing a trust policy matches (no iss, aud or sub)'
      : claims.map((k) => `${k}=${JSON.stringify(payload[k])}`).join(', ');
  } catch {
    return 'nothing readable (the platform did not return a JWT)';
  }
}
