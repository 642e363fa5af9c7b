/**
 * Credentials between clouds, read from the parsed HCL and the deploy command's own functions: GCP's and Azure's sync
 * reach DynamoDB as AWS roles that trust exactly their identity (pinned trust conditions), with the permissions
 * AWS's sync has on the aggregates table and no more; no IAM user or access key exists (a key made `destroy` fail
 * with DeleteConflict); each function gets the role and its token source under the names the code reads, with the
 * audience the role trusts; Azure's sync reaches Firestore the same way, through a workload identity pool provider
 * that admits its identity only; and `tricloud deploy` hands each stack's identity to the stack that trusts it and
 * the roles and provider back.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { contractOutputs, environmentVariables } from '../../scripts/deploy/stacks.ts';
import { defaultWebIdentityAudience } from '../../shared/config/environment/aws-web-identity.ts';
import { defaultGcpWebIdentityAudience } from '../../shared/config/environment/gcp-web-identity.ts';
import { envNames } from '../../shared/config/environment.ts';
import { type Block, block, loadTerraform, nested, ref, type TerraformConfig } from './terraform-config.ts';

const stacks: Record<'aws' | 'gcp' | 'azure', TerraformConfig> = {} as never;

beforeAll(async () => {
  for (const cloud of ['aws', 'gcp', 'azure'] as const) stacks[cloud] = await loadTerraform(cloud);
});

type Condition = { test: string; variable: string; values: string[] | string };
type Statement = {
  actions: string[];
  resources?: string[];
  principals?: { type: string; identifiers: string[] }[];
  condition?: Condition[];
};
const statements = (name: string) =>
  block(stacks.aws, 'data', 'aws_iam_policy_document', name).statement as Statement[];
const defaultOf = (cloud: 'aws' | 'gcp' | 'azure', variable: string) =>
  stacks[cloud].variable[variable]?.default;

describe('no long-lived AWS key crosses to another cloud', () => {
  it('no stack declares an IAM user or an access key', () => {
    for (const cloud of ['aws', 'gcp', 'azure'] as const) {
      const types = Object.keys(stacks[cloud].resource);
      expect(
        types.filter((t) => /^aws_iam_(user|access_key|user_policy)/.test(t)),
        cloud,
      ).toEqual([]);
      expect(
        Object.keys(stacks[cloud].output).filter((o) => /remote_sync|access_key/i.test(o)),
        cloud,
      ).toEqual([]);
    }
  });

  it('tricloud deploy gives no stack an AWS key, not even when the deployer has one', () => {
    const env = {
      AWS_ACCESS_KEY_ID: 'AKIADEPLOYER',
      AWS_SECRET_ACCESS_KEY: 'deployer-secret',
      TRICLOUD_SYNC_AWS_ACCESS_KEY_ID: 'AKIAOLDREMOTE',
      TRICLOUD_SYNC_AWS_SECRET_ACCESS_KEY: 'old-remote-secret',
      COSMOS_KEY: 'cosmos',
    };
    for (const cloud of ['aws', 'gcp', 'azure'] as const) {
      const text = JSON.stringify(environmentVariables(cloud, env));
      expect(text, cloud).not.toMatch(/AKIA|deployer-secret|old-remote-secret/);
    }
    expect(environmentVariables('azure', env)).not.toHaveProperty('sync_secrets');
    expect(stacks.azure.variable).not.toHaveProperty('sync_secrets');
  });
});

describe('the role of GCP’s sync', () => {
  it('trusts Google ID tokens of the sync service account only, minted for STS', () => {
    const [trust, ...more] = statements('gcp_sync_trust');
    expect(more).toEqual([]);
    expect(trust!.actions).toEqual(['sts:AssumeRoleWithWebIdentity']);
    expect(trust!.principals).toEqual([{ type: 'Federated', identifiers: ['accounts.google.com'] }]);
    // A service account's token has azp, which IAM reads as :aud; the token's aud is :oaud.
    expect(trust!.condition).toEqual(
      expect.arrayContaining([
        {
          test: 'StringEquals',
          variable: 'accounts.google.com:aud',
          values: [ref('var.gcp_sync_service_account_id')],
        },
        {
          test: 'StringEquals',
          variable: 'accounts.google.com:sub',
          values: [ref('var.gcp_sync_service_account_id')],
        },
        {
          test: 'StringEquals',
          variable: 'accounts.google.com:oaud',
          values: [ref('var.gcp_web_identity_audience')],
        },
      ]),
    );
    expect(trust!.condition).toHaveLength(3);
    const role = block(stacks.aws, 'resource', 'aws_iam_role', 'gcp_sync');
    expect(role.assume_role_policy).toBe(ref('data.aws_iam_policy_document.gcp_sync_trust[0].json'));
  });
});

describe('the role of Azure’s sync', () => {
  it('trusts the tenant’s Entra ID issuer for the token-exchange audience, and the app’s identity only', () => {
    expect(stacks.aws.locals.entra_issuer).toBe(
      `login.microsoftonline.com/${ref('var.azure_tenant_id')}/v2.0`,
    );
    const provider = block(stacks.aws, 'resource', 'aws_iam_openid_connect_provider', 'entra');
    expect(provider.url).toBe(`https://${ref('local.entra_issuer')}`);
    expect(provider.client_id_list).toBe(ref('var.azure_token_audiences'));

    const [trust, ...more] = statements('azure_sync_trust');
    expect(more).toEqual([]);
    expect(trust!.actions).toEqual(['sts:AssumeRoleWithWebIdentity']);
    expect(trust!.principals).toEqual([
      { type: 'Federated', identifiers: [ref('aws_iam_openid_connect_provider.entra[0].arn')] },
    ]);
    expect(trust!.condition).toEqual([
      {
        test: 'StringEquals',
        variable: `${ref('local.entra_issuer')}:aud`,
        values: ref('var.azure_token_audiences'),
      },
      {
        test: 'StringEquals',
        variable: `${ref('local.entra_issuer')}:sub`,
        values: [ref('var.azure_sync_principal_id')],
      },
    ]);
    const role = block(stacks.aws, 'resource', 'aws_iam_role', 'azure_sync');
    expect(role.assume_role_policy).toBe(ref('data.aws_iam_policy_document.azure_sync_trust[0].json'));
  });
});

describe('what the federated roles may do', () => {
  it('is the DynamoDB part of AWS sync’s policy, on the aggregates table and its changes index', () => {
    for (const role of ['gcp_sync', 'azure_sync']) {
      const policy = block(stacks.aws, 'resource', 'aws_iam_role_policy', role);
      expect(policy.policy, role).toBe(ref('data.aws_iam_policy_document.federated_sync.json'));
      expect(policy.role, role).toBe(ref(`aws_iam_role.${role}[0].id`));
    }
    const dynamo = (s: Statement[]) =>
      s.filter((x) => x.actions.every((a) => a.startsWith('dynamodb:'))).map((x) => [x.actions, x.resources]);
    expect(dynamo(statements('federated_sync'))).toEqual(dynamo(statements('sync')));
    expect(
      statements('federated_sync')
        .flatMap((s) => s.actions)
        .every((a) => a.startsWith('dynamodb:')),
    ).toBe(true);
  });
});

describe('each function gets its role and token source, under the names the code reads', () => {
  const names = envNames.aws;

  it.each([
    ['gcp', 'gcp-metadata'],
    ['azure', 'azure-managed-identity'],
  ] as const)(
    '%s: the role ARN from infra/aws, the token source, the audience the role trusts',
    (cloud, source) => {
      expect(stacks[cloud].locals.aws_web_identity).toEqual({
        [names.roleArn]: ref('var.aws_federated_role_arn'),
        [names.tokenSource]: source,
        [names.audience]: ref('var.aws_web_identity_audience'),
      });
      expect(stacks[cloud].locals.aws_web_identity_env).toBe(
        ref('var.aws_federated_role_arn == "" ? {} : local.aws_web_identity'),
      );
      expect(defaultOf(cloud, 'aws_web_identity_audience')).toBe(defaultWebIdentityAudience[source]);
    },
  );

  it('GCP: the sync function, which runs as the service account infra/aws trusts', () => {
    const sync = nested(
      block(stacks.gcp, 'resource', 'google_cloudfunctions2_function', 'sync'),
      'service_config',
    );
    expect(sync.environment_variables).toContain('local.aws_web_identity_env');
    expect(sync.service_account_email).toBe(ref('google_service_account.sync.email'));
    expect(stacks.gcp.output.TRICLOUD_GCP_SYNC_IDENTITY?.value).toBe(
      ref('google_service_account.sync.unique_id'),
    );
    for (const other of ['ingest', 'read']) {
      const config = nested(
        block(stacks.gcp, 'resource', 'google_cloudfunctions2_function', other),
        'service_config',
      ) as Block;
      expect(config.environment_variables, other).not.toContain('aws_web_identity');
    }
    // What GCP asks for is what AWS trusts.
    expect(defaultOf('aws', 'gcp_web_identity_audience')).toBe(defaultOf('gcp', 'aws_web_identity_audience'));
  });

  it('Azure: the Function App, whose system-assigned identity infra/aws trusts', () => {
    const app = block(stacks.azure, 'resource', 'azurerm_function_app_flex_consumption', 'main');
    expect(app.app_settings).toContain('local.aws_web_identity_env');
    // The platform sets IDENTITY_ENDPOINT and IDENTITY_HEADER for an app with an identity.
    expect(nested(app, 'identity').type).toBe('SystemAssigned');
    expect(stacks.azure.output.TRICLOUD_AZURE_SYNC_IDENTITY?.value).toBe(
      ref('azurerm_function_app_flex_consumption.main.identity[0].principal_id'),
    );
    expect(stacks.azure.output.TRICLOUD_AZURE_TENANT_ID?.value).toBe(
      ref('azurerm_function_app_flex_consumption.main.identity[0].tenant_id'),
    );
    expect(defaultOf('aws', 'azure_token_audiences')).toContain(
      defaultOf('azure', 'aws_web_identity_audience'),
    );
  });
});

describe('Azure’s sync into Firestore', () => {
  it('is trusted by a workload identity pool provider for the tenant’s issuer that admits the app’s identity only', () => {
    const provider = block(stacks.gcp, 'resource', 'google_iam_workload_identity_pool_provider', 'azure');
    expect(provider.workload_identity_pool_id).toBe(
      ref('google_iam_workload_identity_pool.azure[0].workload_identity_pool_id'),
    );
    expect(nested(provider, 'oidc')).toEqual({
      issuer_uri: `https://login.microsoftonline.com/${ref('var.azure_tenant_id')}/v2.0`,
      allowed_audiences: [ref('var.azure_token_audience')],
    });
    expect(provider.attribute_mapping).toEqual({ 'google.subject': 'assertion.sub' });
    expect(provider.attribute_condition).toBe(`assertion.sub == '${ref('var.azure_sync_principal_id')}'`);
    const binding = block(
      stacks.gcp,
      'resource',
      'google_service_account_iam_member',
      'azure_sync_federation',
    );
    expect(binding).toMatchObject({
      service_account_id: ref('google_service_account.azure_sync.name'),
      role: 'roles/iam.workloadIdentityUser',
      member: `principal://iam.googleapis.com/${ref('google_iam_workload_identity_pool.azure[0].name')}/subject/${ref('var.azure_sync_principal_id')}`,
    });
  });

  it('gives the Function App the provider, the account and the audience under the names the code reads', () => {
    const names = envNames.gcp;
    expect(stacks.azure.locals.gcp_web_identity).toEqual({
      [names.tokenSource]: 'azure-managed-identity',
      [names.workloadIdentityProvider]: ref('var.gcp_workload_identity_provider'),
      [names.serviceAccount]: ref('var.gcp_service_account'),
      [names.audience]: ref('var.gcp_web_identity_audience'),
    });
    expect(stacks.azure.locals.gcp_web_identity_env).toBe(
      ref('var.gcp_workload_identity_provider == "" ? {} : local.gcp_web_identity'),
    );
    const app = block(stacks.azure, 'resource', 'azurerm_function_app_flex_consumption', 'main');
    expect(app.app_settings).toContain('local.gcp_web_identity_env');
    expect(defaultOf('azure', 'gcp_web_identity_audience')).toBe(defaultGcpWebIdentityAudience);
    expect(defaultOf('gcp', 'azure_token_audience')).toBe(defaultGcpWebIdentityAudience);
    expect(stacks.gcp.output.TRICLOUD_GCP_AZURE_SYNC_PROVIDER?.value).toBe(
      ref('one(google_iam_workload_identity_pool_provider.azure[*].name)'),
    );
    expect(stacks.gcp.output.TRICLOUD_GCP_AZURE_SYNC_SERVICE_ACCOUNT?.value).toBe(
      ref('google_service_account.azure_sync.email'),
    );
  });
});

describe('tricloud deploy hands identities and roles between stacks', () => {
  it('passes GCP’s and Azure’s identities to infra/aws, and its roles back to each', () => {
    const gcpOut = contractOutputs({
      TRICLOUD_GCP_SYNC_IDENTITY: { value: '112233445566778899000' },
      aws_sync_credential_config: { value: '{}' },
    });
    const azureOut = contractOutputs({
      TRICLOUD_AZURE_SYNC_IDENTITY: { value: '00000000-1111-2222-3333-444444444444' },
      TRICLOUD_AZURE_TENANT_ID: { value: 'tenant' },
    });
    expect(environmentVariables('aws', { ...gcpOut, ...azureOut })).toMatchObject({
      gcp_sync_service_account_id: '112233445566778899000',
      azure_sync_principal_id: '00000000-1111-2222-3333-444444444444',
      azure_tenant_id: 'tenant',
    });

    const awsOut = contractOutputs({
      TRICLOUD_AWS_GCP_SYNC_ROLE_ARN: { value: 'arn:aws:iam::123456789012:role/tricloud-gcp-sync' },
      TRICLOUD_AWS_AZURE_SYNC_ROLE_ARN: { value: 'arn:aws:iam::123456789012:role/tricloud-azure-sync' },
    });
    expect(environmentVariables('gcp', awsOut).aws_federated_role_arn).toBe(
      'arn:aws:iam::123456789012:role/tricloud-gcp-sync',
    );
    expect(environmentVariables('azure', awsOut).aws_federated_role_arn).toBe(
      'arn:aws:iam::123456789012:role/tricloud-azure-sync',
    );
  });

  it('passes Azure’s identity to infra/gcp, and its provider and account back to infra/azure', () => {
    expect(
      environmentVariables('gcp', {
        TRICLOUD_AZURE_SYNC_IDENTITY: '00000000-1111-2222-3333-444444444444',
        TRICLOUD_AZURE_TENANT_ID: 'tenant',
      }),
    ).toMatchObject({
      azure_sync_principal_id: '00000000-1111-2222-3333-444444444444',
      azure_tenant_id: 'tenant',
    });
    const gcpOut = contractOutputs({
      TRICLOUD_GCP_AZURE_SYNC_PROVIDER: {
        value: 'projects/1/locations/global/workloadIdentityPools/p/providers/entra',
      },
      TRICLOUD_GCP_AZURE_SYNC_SERVICE_ACCOUNT: { value: 'tricloud-azure-sync@p.iam.gserviceaccount.com' },
    });
    expect(environmentVariables('azure', gcpOut)).toMatchObject({
      gcp_workload_identity_provider: 'projects/1/locations/global/workloadIdentityPools/p/providers/entra',
      gcp_service_account: 'tricloud-azure-sync@p.iam.gserviceaccount.com',
    });
    // A key left in the env file is not handed on once the app is federated: it would refuse both.
    const key = '{"type":"service_account","client_email":"a@b","private_key":"k"}';
    expect(
      environmentVariables('azure', { ...gcpOut, TRICLOUD_GCP_CREDENTIALS_JSON: key }),
    ).not.toHaveProperty('gcp_credentials_json');
    expect(environmentVariables('azure', { TRICLOUD_GCP_CREDENTIALS_JSON: key }).gcp_credentials_json).toBe(
      key,
    );
  });

  it('names every variable it sets after one the stack declares', () => {
    const all = Object.fromEntries(Object.values(envNames.deploy).map((name) => [name, 'x']));
    for (const cloud of ['aws', 'gcp', 'azure'] as const) {
      for (const variable of Object.keys(environmentVariables(cloud, all))) {
        expect(stacks[cloud].variable, `${cloud}: ${variable}`).toHaveProperty(variable);
      }
    }
  });

  it('has the outputs each stack declares for the next', () => {
    expect(stacks.aws.output).toHaveProperty(envNames.deploy.gcpSyncRoleArn);
    expect(stacks.aws.output).toHaveProperty(envNames.deploy.azureSyncRoleArn);
    expect(stacks.gcp.output).toHaveProperty(envNames.deploy.gcpSyncIdentity);
    expect(stacks.azure.output).toHaveProperty(envNames.deploy.azureSyncIdentity);
    expect(stacks.azure.output).toHaveProperty(envNames.deploy.azureTenantId);
    expect(stacks.gcp.output).toHaveProperty(envNames.deploy.gcpAzureSyncProvider);
    expect(stacks.gcp.output).toHaveProperty(envNames.deploy.gcpAzureSyncServiceAccount);
  });
});
