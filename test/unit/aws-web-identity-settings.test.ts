/**
 * Reading the role another cloud's function assumes from the environment contract: the role and its token source
 * come together, the audience defaults to what infra/aws trusts, Azure's endpoint comes from the platform, static keys
 * and a role together are refused, and the settings are written back as the same variables.
 */
import { describe, expect, it } from 'vitest';
import { awsEnv, readAwsStoreSettings } from '../../shared/config/environment.ts';
import { ConfigError } from '../../shared/core/index.ts';

const store = {
  AWS_REGION: 'eu-central-1',
  TRICLOUD_DYNAMODB_AGGREGATES_TABLE: 'tricloud-aggregates',
  TRICLOUD_DYNAMODB_CHANGES_INDEX: 'byUpdatedAt',
  TRICLOUD_DYNAMODB_DEAD_LETTERS_TABLE: 'tricloud-dead-letters',
};
const roleArn = 'arn:aws:iam::123456789012:role/tricloud-gcp-sync';

describe('TRICLOUD_AWS_ROLE_ARN and TRICLOUD_AWS_WEB_IDENTITY', () => {
  it('are optional: without them, keys or the default chain', () => {
    expect(readAwsStoreSettings(store)).not.toHaveProperty('webIdentity');
  });

  it('on Google Cloud: the metadata server, asked for the audience STS is', () => {
    const settings = readAwsStoreSettings({
      ...store,
      TRICLOUD_AWS_ROLE_ARN: roleArn,
      TRICLOUD_AWS_WEB_IDENTITY: 'gcp-metadata',
    });
    expect(settings.webIdentity).toEqual({
      roleArn,
      audience: 'sts.amazonaws.com',
      tokenSource: { platform: 'gcp-metadata', metadataHost: 'metadata.google.internal' },
    });
  });

  it('on Azure: the managed identity endpoint the platform names, for api://AzureADTokenExchange', () => {
    const settings = readAwsStoreSettings({
      ...store,
      TRICLOUD_AWS_ROLE_ARN: roleArn,
      TRICLOUD_AWS_WEB_IDENTITY: 'azure-managed-identity',
      IDENTITY_ENDPOINT: 'http://localhost:8081/msi/token',
      IDENTITY_HEADER: 'h',
      AWS_ENDPOINT_URL_STS: 'http://127.0.0.1:4566',
    });
    expect(settings.webIdentity).toEqual({
      roleArn,
      audience: 'api://AzureADTokenExchange',
      tokenSource: {
        platform: 'azure-managed-identity',
        identityEndpoint: 'http://localhost:8081/msi/token',
        identityHeader: 'h',
      },
      stsEndpoint: 'http://127.0.0.1:4566',
    });
  });

  it.each([
    [{ TRICLOUD_AWS_WEB_IDENTITY: 'gcp-metadata' }, /TRICLOUD_AWS_ROLE_ARN is not/],
    [
      { TRICLOUD_AWS_ROLE_ARN: roleArn },
      /TRICLOUD_AWS_WEB_IDENTITY must be gcp-metadata or azure-managed-identity/,
    ],
    [
      { TRICLOUD_AWS_ROLE_ARN: roleArn, TRICLOUD_AWS_WEB_IDENTITY: 'aws' },
      /must be gcp-metadata or azure-managed-identity with TRICLOUD_AWS_ROLE_ARN set, got 'aws'/,
    ],
    [
      { TRICLOUD_AWS_ROLE_ARN: 'tricloud-gcp-sync', TRICLOUD_AWS_WEB_IDENTITY: 'gcp-metadata' },
      /TRICLOUD_AWS_ROLE_ARN must be an IAM role ARN/,
    ],
    [
      { TRICLOUD_AWS_ROLE_ARN: roleArn, TRICLOUD_AWS_WEB_IDENTITY: 'azure-managed-identity' },
      /needs IDENTITY_ENDPOINT and IDENTITY_HEADER.*turn on the app's identity/,
    ],
    [
      {
        TRICLOUD_AWS_ROLE_ARN: roleArn,
        TRICLOUD_AWS_WEB_IDENTITY: 'gcp-metadata',
        AWS_ACCESS_KEY_ID: 'AKIA',
        AWS_SECRET_ACCESS_KEY: 's',
      },
      /TRICLOUD_AWS_ROLE_ARN and AWS_ACCESS_KEY_ID are both set/,
    ],
  ])('refuse %o, naming what to fix', (extra, message) => {
    const read = () => readAwsStoreSettings({ ...store, ...extra });
    expect(read).toThrow(ConfigError);
    expect(read).toThrow(message);
  });

  it('are written back as the variables they were read from', () => {
    for (const env of [
      {
        ...store,
        TRICLOUD_AWS_ROLE_ARN: roleArn,
        TRICLOUD_AWS_WEB_IDENTITY: 'gcp-metadata',
        TRICLOUD_AWS_WEB_IDENTITY_AUDIENCE: 'tricloud',
        GCE_METADATA_HOST: '127.0.0.1:8080',
      },
      {
        ...store,
        TRICLOUD_AWS_ROLE_ARN: roleArn,
        TRICLOUD_AWS_WEB_IDENTITY: 'azure-managed-identity',
        TRICLOUD_AWS_WEB_IDENTITY_AUDIENCE: 'api://tricloud-aws',
        IDENTITY_ENDPOINT: 'http://localhost:8081/msi/token',
        IDENTITY_HEADER: 'h',
        AWS_ENDPOINT_URL_STS: 'http://127.0.0.1:4566',
      },
    ]) {
      expect(awsEnv(readAwsStoreSettings(env))).toEqual(env);
    }
  });
});
