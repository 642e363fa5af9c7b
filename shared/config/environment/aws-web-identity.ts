/**
 * The part of AWS's contract a function on another cloud reads to reach DynamoDB without a key: the role it assumes
 * and where its platform's identity token comes from. Terraform sets them on GCP's and Azure's sync functions
 * (infra/gcp/federation.tf, infra/azure/federation.tf); the platforms set their own endpoint variables.
 *
 * | variable | meaning | default |
 * |---|---|---|
 * | `TRICLOUD_AWS_ROLE_ARN` | the role to assume with `AssumeRoleWithWebIdentity` | unset: keys or the default chain |
 * | `TRICLOUD_AWS_WEB_IDENTITY` | the token source: `gcp-metadata` or `azure-managed-identity` | required with the role |
 * | `TRICLOUD_AWS_WEB_IDENTITY_AUDIENCE` | the audience the token is asked for, which the role trusts | per source, below |
 * | `AWS_ENDPOINT_URL_STS` | STS endpoint | the region's |
 * | `GCE_METADATA_HOST` | Google's metadata server (google-auth-library's name) | `metadata.google.internal` |
 * | `IDENTITY_ENDPOINT`, `IDENTITY_HEADER` | Azure Functions' managed identity endpoint and its guard | set by the platform |
 */
import type { AwsWebIdentity, WebIdentityTokenSource } from '../../clouds/settings.ts';
import { ConfigError } from '../../core/errors.ts';
import { platformIdentityNames } from './platform-identity.ts';
import { type Env, optional, variable } from './values.ts';

export const awsWebIdentityNames = {
  roleArn: 'TRICLOUD_AWS_ROLE_ARN',
  tokenSource: 'TRICLOUD_AWS_WEB_IDENTITY',
  audience: 'TRICLOUD_AWS_WEB_IDENTITY_AUDIENCE',
  stsEndpoint: 'AWS_ENDPOINT_URL_STS',
  ...platformIdentityNames,
} as const;

type Platform = WebIdentityTokenSource['platform'];

/**
 * The audience each source asks for when none is given; infra/aws trusts the same (test/infra/federation.test.ts
 * compares). Google signs an ID token for any audience, so it names its consumer, STS. Entra ID issues tokens only
 * for a resource it knows: `api://AzureADTokenExchange` exists in every tenant and is meant for exchanging tokens.
 */
export const defaultWebIdentityAudience: Record<Platform, string> = {
  'gcp-metadata': 'sts.amazonaws.com',
  'azure-managed-identity': 'api://AzureADTokenExchange',
};

const platforms = Object.keys(defaultWebIdentityAudience) as Platform[];
const defaultMetadataHost = 'metadata.google.internal';
const roleArnPattern = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/;

function tokenSource(env: Env, platform: Platform): WebIdentityTokenSource {
  const n = awsWebIdentityNames;
  if (platform === 'gcp-metadata') {
    return { platform, metadataHost: optional(env, n.gcpMetadataHost) ?? defaultMetadataHost };
  }
  const identityEndpoint = optional(env, n.azureIdentityEndpoint);
  const identityHeader = optional(env, n.azureIdentityHeader);
  if (identityEndpoint === undefined || identityHeader === undefined) {
    throw new ConfigError(
      `${n.tokenSource}=azure-managed-identity needs ${n.azureIdentityEndpoint} and ${n.azureIdentityHeader}, which ` +
        "Azure Functions sets when the app has a managed identity: turn on the app's identity (infra/azure does), " +
        `or, off Azure, unset ${n.roleArn} and ${n.tokenSource} and give AWS keys (development only).`,
    );
  }
  return { platform, identityEndpoint, identityHeader };
}

/** The role and token source, both or neither; throws a {@link ConfigError} naming the variable to fix. */
export function readAwsWebIdentity(env: Env): AwsWebIdentity | undefined {
  const n = awsWebIdentityNames;
  const roleArn = optional(env, n.roleArn);
  const platform = optional(env, n.tokenSource);
  if (roleArn === undefined && platform === undefined) return undefined;
  if (roleArn === undefined) {
    throw new ConfigError(`${n.tokenSource} is set but ${n.roleArn} is not: set it to the role to assume.`);
  }
  if (platform === undefined || !platforms.includes(platform as Platform)) {
    throw new ConfigError(
      `${n.tokenSource} must be ${platforms.join(' or ')} with ${n.roleArn} set, got '${platform ?? ''}'.`,
    );
  }
  if (!roleArnPattern.test(roleArn)) {
    throw new ConfigError(
      `${n.roleArn} must be an IAM role ARN (arn:aws:iam::123456789012:role/name), got '${roleArn}'.`,
    );
  }
  const stsEndpoint = optional(env, n.stsEndpoint);
  return {
    roleArn,
    audience: optional(env, n.audience) ?? defaultWebIdentityAudience[platform as Platform],
    tokenSource: tokenSource(env, platform as Platform),
    ...(stsEndpoint !== undefined ? { stsEndpoint } : {}),
  };
}

/** The variables that {@link readAwsWebIdentity} reads back. */
export function awsWebIdentityEnv(identity: AwsWebIdentity): Record<string, string> {
  const n = awsWebIdentityNames;
  const source = identity.tokenSource;
  return {
    [n.roleArn]: identity.roleArn,
    [n.tokenSource]: source.platform,
    [n.audience]: identity.audience,
    ...variable(n.stsEndpoint, identity.stsEndpoint),
    ...(source.platform === 'gcp-metadata'
      ? variable(
          n.gcpMetadataHost,
          source.metadataHost === defaultMetadataHost ? undefined : source.metadataHost,
        )
      : {
          [n.azureIdentityEndpoint]: source.identityEndpoint,
          [n.azureIdentityHeader]: source.identityHeader,
        }),
  };
}
