/**
 * Infra that redeploys (issue 18, item 4). Applying infra/aws for real against an AWS API emulator — init, plan,
 * apply, plan, destroy, apply — found what the parsed HCL shows here, each as a check that would have caught it:
 * a secret whose name stays taken after destroy; resources created before the permissions they act with (and the
 * same kind of race on GCP and Azure); a queue visibility timeout unrelated to the function's timeout; sync's
 * asynchronous invocations retried by Lambda's defaults with nowhere for failures to go; the Cosmos key in the
 * Lambda's configuration; the archive provider kept for one zip; no word about the dependency lock file.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parse } from '@cdktf/hcl2json';
import { strFromU8, unzipSync } from 'fflate';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cosmosKeySecretArnVariable } from '../../functions/aws/cosmos-key-secret.ts';
import {
  gcpCredentialConfigVariable,
  gcpCredentialsFile,
  gcpCredentialsZip,
  writeCredentialsZip,
} from '../../scripts/build/credentials-zip.ts';
import {
  lockFileNotice,
  optionalArtifactVariables,
  prepareStack,
  repoRoot,
} from '../../scripts/deploy/prepare.ts';
import { environmentVariables } from '../../scripts/deploy/stacks.ts';
import { envNames } from '../../shared/config/environment.ts';
import {
  type Block,
  block,
  infraDir,
  loadTerraform,
  nested,
  ref,
  type TerraformConfig,
} from './terraform-config.ts';

const stacks = {} as Record<'aws' | 'gcp' | 'azure', TerraformConfig>;

beforeAll(async () => {
  for (const cloud of ['aws', 'gcp', 'azure'] as const) stacks[cloud] = await loadTerraform(cloud);
});

const aws = (type: string, name: string) => block(stacks.aws, 'resource', type, name);
const gcp = (type: string, name: string) => block(stacks.gcp, 'resource', type, name);

/** `${type.name}` addresses a resource's depends_on lists. */
const dependsOn = (resource: Block) => (resource.depends_on as string[] | undefined) ?? [];

/** `${aws_iam_role.X.arn}` → X. */
const roleName = (expression: unknown) => /^\$\{aws_iam_role\.(\w+)\.arn\}$/.exec(String(expression))?.[1];

describe('infra/aws destroyed and applied again', () => {
  it('deletes the Secrets Manager secret without a recovery window, so its name is free at once', () => {
    expect(aws('aws_secretsmanager_secret', 'sync_cross_cloud').recovery_window_in_days).toBe(0);
  });
});

describe('infra/gcp destroyed and applied again', () => {
  it('names each workload identity pool with a suffix new after a destroy (Google keeps a deleted id 30 days)', () => {
    const pools = stacks.gcp.resource.google_iam_workload_identity_pool ?? {};
    expect(Object.keys(pools).sort()).toEqual(['aws', 'azure']);
    for (const [name, pool] of Object.entries(pools)) {
      expect(String(pool.workload_identity_pool_id), name).toContain(ref('random_id.identity_pools.hex'));
      // Pool ids take 4 to 32 characters: the default prefix and 6 hex digits leave room.
      const prefix = String(stacks.gcp.variable.prefix?.default);
      expect(prefix).toMatch(/^[a-z]/);
      const id = String(pool.workload_identity_pool_id)
        .replace(ref('var.prefix'), prefix)
        .replace(ref('random_id.identity_pools.hex'), 'abcdef');
      expect(id, name).toMatch(/^[a-z][a-z0-9-]{3,31}$/);
    }
    expect(gcp('random_id', 'identity_pools')).toBeDefined();
  });
});

describe('no resource races the permissions it acts with on create', () => {
  it('AWS: each Lambda waits for its role’s policy', () => {
    const functions = stacks.aws.resource.aws_lambda_function ?? {};
    expect(Object.keys(functions).sort()).toEqual(['ingest', 'read', 'sync']);
    for (const [name, fn] of Object.entries(functions)) {
      const role = roleName(fn.role);
      expect(role, name).toBeDefined();
      expect(dependsOn(fn), name).toContain(ref(`aws_iam_role_policy.${role}`));
    }
  });

  it('AWS: the event source mapping, sync’s invoke config and the schedule wait for the policy they need', () => {
    const roleOfFunction = (expression: unknown) => {
      const fn = /^\$\{aws_lambda_function\.(\w+)\.\w+\}$/.exec(String(expression))?.[1] ?? '';
      return roleName(aws('aws_lambda_function', fn).role);
    };
    const mapping = aws('aws_lambda_event_source_mapping', 'records');
    expect(dependsOn(mapping)).toContain(ref(`aws_iam_role_policy.${roleOfFunction(mapping.function_name)}`));
    const invokeConfig = aws('aws_lambda_function_event_invoke_config', 'sync');
    expect(dependsOn(invokeConfig)).toContain(
      ref(`aws_iam_role_policy.${roleOfFunction(invokeConfig.function_name)}`),
    );
    const schedule = aws('aws_scheduler_schedule', 'sync');
    const scheduleRole = roleName(nested(schedule, 'target').role_arn);
    expect(scheduleRole).toBe('scheduler');
    expect(dependsOn(schedule)).toContain(ref(`aws_iam_role_policy.${scheduleRole}`));
  });

  it('GCP: a function with secrets waits for its account’s access to them', () => {
    for (const [name, fn] of Object.entries(stacks.gcp.resource.google_cloudfunctions2_function ?? {})) {
      const service = nested(fn, 'service_config');
      const secrets = (service.dynamic as Record<string, Block[]> | undefined)?.secret_environment_variables;
      if (!secrets) continue;
      const account = /google_service_account\.(\w+)\.email/.exec(String(service.service_account_email))?.[1];
      expect(gcp('google_secret_manager_secret_iam_member', name).member).toBe(
        ref(`google_service_account.${account}.member`),
      );
      expect(dependsOn(fn), name).toContain(ref(`google_secret_manager_secret_iam_member.${name}`));
    }
  });

  it('GCP: the push subscription waits until Pub/Sub may mint its token, the token may invoke, ingest may write', () => {
    const subscription = gcp('google_pubsub_subscription', 'ingest');
    const token = nested(nested(subscription, 'push_config'), 'oidc_token');
    const invoker = /google_service_account\.(\w+)\.email/.exec(String(token.service_account_email))?.[1];
    const binding = gcp('google_cloud_run_service_iam_member', 'ingest_invoker');
    expect(binding.member).toBe(ref(`google_service_account.${invoker}.member`));
    expect(binding.service).toBe(ref('google_cloudfunctions2_function.ingest.name'));
    const minted = gcp('google_service_account_iam_member', 'pubsub_token_creator').for_each as Block;
    expect(minted[invoker ?? '']).toBe(ref(`google_service_account.${invoker}.name`));
    expect(dependsOn(subscription)).toEqual(
      expect.arrayContaining([
        ref('google_service_account_iam_member.pubsub_token_creator'),
        ref('google_cloud_run_service_iam_member.ingest_invoker'),
        ref('google_project_iam_member.firestore'),
      ]),
    );
  });

  it('GCP: the scheduler’s first tick finds the trigger allowed to invoke sync, and sync allowed to write', () => {
    const trigger = nested(gcp('google_cloudfunctions2_function', 'sync'), 'event_trigger');
    const account = /google_service_account\.(\w+)\.email/.exec(String(trigger.service_account_email))?.[1];
    expect(gcp('google_cloud_run_service_iam_member', 'sync_trigger').member).toBe(
      ref(`google_service_account.${account}.member`),
    );
    expect(dependsOn(gcp('google_cloud_scheduler_job', 'sync'))).toEqual(
      expect.arrayContaining([
        ref('google_cloudfunctions2_function.sync'),
        ref('google_cloud_run_service_iam_member.sync_trigger'),
        ref('google_service_account_iam_member.pubsub_token_creator'),
        ref('google_project_iam_member.firestore'),
      ]),
    );
  });

  it('Azure: each app’s package is published only once every role of its identity is assigned', () => {
    const assignments = Object.entries(stacks.azure.resource.azurerm_role_assignment ?? {});
    const publishes = Object.entries(stacks.azure.resource.terraform_data ?? {});
    expect(publishes.length).toBe(2);
    for (const [name, publish] of publishes) {
      const exec = (publish.provisioner as Record<string, Block[]>)['local-exec']?.[0];
      const app = /azurerm_function_app_flex_consumption\.(\w+)\.name/.exec(
        String((exec?.environment as Block | undefined)?.APP),
      )?.[1];
      const roles = assignments
        .filter(
          ([, a]) =>
            a.principal_id === ref(`azurerm_function_app_flex_consumption.${app}.identity[0].principal_id`),
        )
        .map(([role]) => ref(`azurerm_role_assignment.${role}`));
      expect(roles.length, name).toBeGreaterThan(0);
      expect(dependsOn(publish), name).toEqual(expect.arrayContaining(roles));
    }
  });
});

/** Evaluates the arithmetic of a Terraform expression (`6 * var.a + var.b`) with the given variables. */
function evaluate(expression: unknown, variables: Record<string, number>): number {
  const text = String(expression)
    .replace(/^\$\{|\}$/g, '')
    .replace(/var\.(\w+)/g, (_, name: string) => {
      if (!(name in variables)) throw new Error(`No value for var.${name}`);
      return String(variables[name]);
    });
  if (!/^[\d\s+*]+$/.test(text)) throw new Error(`Not + and * of numbers: ${text}`);
  return text
    .split('+')
    .reduce((sum, term) => sum + term.split('*').reduce((product, n) => product * Number(n), 1), 0);
}

describe('the records queue', () => {
  it('hides a received message for at least 6 times the ingest timeout plus the batching window', () => {
    const queue = aws('aws_sqs_queue', 'records');
    expect(queue.visibility_timeout_seconds).toBe(ref('local.records_visibility_timeout_seconds'));
    // The function's timeout and the mapping's window are the variables the formula reads, not copies of them.
    expect(aws('aws_lambda_function', 'ingest').timeout).toBe(ref('local.functions.ingest.timeout'));
    const functions = stacks.aws.locals.functions as Record<string, Block>;
    expect(functions.ingest?.timeout).toBe(ref('var.ingest_timeout_seconds'));
    expect(aws('aws_lambda_event_source_mapping', 'records').maximum_batching_window_in_seconds).toBe(
      ref('var.ingest_batching_window_seconds'),
    );
    const defaults = (name: string) => stacks.aws.variable[name]?.default as number;
    const formula = stacks.aws.locals.records_visibility_timeout_seconds;
    // The defaults and the ends of both variables' validations; SQS allows at most 12 hours.
    for (const [timeout, window] of [
      [defaults('ingest_timeout_seconds'), defaults('ingest_batching_window_seconds')],
      [1, 0],
      [900, 300],
      [900, 0],
      [1, 300],
    ] as const) {
      const visibility = evaluate(formula, {
        ingest_timeout_seconds: timeout,
        ingest_batching_window_seconds: window,
      });
      expect(visibility, `timeout ${timeout} s, window ${window} s`).toBeGreaterThanOrEqual(
        6 * timeout + window,
      );
      expect(visibility).toBeLessThanOrEqual(43_200);
    }
    expect(JSON.stringify(stacks.aws.variable.ingest_timeout_seconds?.validation)).toContain('<= 900');
    expect(JSON.stringify(stacks.aws.variable.ingest_batching_window_seconds?.validation)).toContain(
      '<= 300',
    );
  });
});

describe('sync invoked asynchronously', () => {
  it('is not retried by Lambda (the schedule is the retry), expires soon, and sends failures to a queue', () => {
    const config = aws('aws_lambda_function_event_invoke_config', 'sync');
    expect(config.function_name).toBe(ref('aws_lambda_function.sync.function_name'));
    expect(config.maximum_retry_attempts).toBe(0);
    expect(config.maximum_event_age_in_seconds).toBeGreaterThanOrEqual(60);
    expect(config.maximum_event_age_in_seconds).toBeLessThanOrEqual(300);
    const destination = nested(nested(config, 'destination_config'), 'on_failure').destination;
    expect(destination).toBe(ref('aws_sqs_queue.sync_failures.arn'));
    expect(nested(nested(aws('aws_scheduler_schedule', 'sync'), 'target'), 'retry_policy')).toEqual({
      maximum_retry_attempts: 0,
    });
  });

  it('may send to its failure queue, which is encrypted and alarmed on, as are its errors and throttles', () => {
    const statements = block(stacks.aws, 'data', 'aws_iam_policy_document', 'sync').statement as Block[];
    expect(statements).toContainEqual(
      expect.objectContaining({
        actions: ['sqs:SendMessage'],
        resources: [ref('aws_sqs_queue.sync_failures.arn')],
      }),
    );
    expect(aws('aws_sqs_queue', 'sync_failures').sqs_managed_sse_enabled).toBe(true);
    const alarms = stacks.aws.resource.aws_cloudwatch_metric_alarm ?? {};
    expect(alarms.sync_failures?.dimensions).toEqual({ QueueName: ref('aws_sqs_queue.sync_failures.name') });
    expect(stacks.aws.locals.lambda_names).toMatchObject({
      sync: ref('aws_lambda_function.sync.function_name'),
    });
    for (const name of ['errors', 'throttles'])
      expect(alarms[name]?.for_each).toBe(ref('local.lambda_names'));
  });
});

describe('the Cosmos DB key of AWS sync', () => {
  it('is in no Lambda configuration: the function gets the secret’s ARN, and may read that secret alone', () => {
    const environments = [
      JSON.stringify(stacks.aws.resource.aws_lambda_function),
      JSON.stringify(stacks.aws.locals.aws_env),
      JSON.stringify(stacks.aws.locals.runtime_env),
      String(stacks.aws.locals.sync_cross_cloud_env),
    ].join('\n');
    expect(environments).not.toMatch(/COSMOS_KEY\b|azure_cosmos_key\b(?! ==)/);
    expect(String(nested(aws('aws_lambda_function', 'sync'), 'environment').variables)).toContain(
      'local.sync_cross_cloud_env',
    );
    expect(String(stacks.aws.locals.sync_cross_cloud_env)).toContain(
      `${cosmosKeySecretArnVariable} = aws_secretsmanager_secret.sync_cross_cloud.arn`,
    );
    const statements = block(stacks.aws, 'data', 'aws_iam_policy_document', 'sync').statement as Block[];
    const reads = statements.filter((s) =>
      (s.actions as string[]).some((a) => a.startsWith('secretsmanager:')),
    );
    expect(reads).toEqual([
      expect.objectContaining({
        actions: ['secretsmanager:GetSecretValue'],
        resources: [ref('aws_secretsmanager_secret.sync_cross_cloud.arn')],
      }),
    ]);
  });

  it('reaches the secret from the deployer’s COSMOS_KEY, under the name the sync runtime reads', () => {
    expect(environmentVariables('aws', { [envNames.azure.cosmosKey]: 'k' }).azure_cosmos_key).toBe('k');
    const version = aws('aws_secretsmanager_secret_version', 'sync_cross_cloud');
    expect(version.secret_string).toBe(
      ref(`jsonencode({ ${envNames.azure.cosmosKey} = var.azure_cosmos_key })`),
    );
    expect(stacks.aws.variable.azure_cosmos_key?.sensitive).toBe(true);
  });
});

describe('infra/aws without the archive provider', () => {
  it('requires the AWS provider alone, and ships the build’s credential zip as the layer', async () => {
    const file = path.join(infraDir, 'aws', 'versions.tf');
    const versions = (await parse('versions.tf', await readFile(file, 'utf8'))) as {
      terraform: { required_providers: Block[] }[];
    };
    expect(Object.keys(versions.terraform[0]?.required_providers[0] ?? {})).toEqual(['aws']);
    expect(stacks.aws.data).not.toHaveProperty('archive_file');
    const layer = aws('aws_lambda_layer_version', 'gcp_credentials');
    expect(layer.filename).toBe(ref('var.gcp_credentials_zip'));
    expect(layer.source_code_hash).toBe(ref('filebase64sha256(var.gcp_credentials_zip)'));
    expect(String(stacks.aws.locals.sync_cross_cloud_env)).toContain(
      `GOOGLE_APPLICATION_CREDENTIALS = "/opt/${gcpCredentialsFile}"`,
    );
  });
});

describe('the credential zip the build makes', () => {
  let dist: string;
  beforeEach(async () => {
    dist = await mkdtemp(path.join(os.tmpdir(), 'tricloud-credentials-'));
  });
  afterEach(async () => {
    await rm(dist, { recursive: true, force: true });
  });

  const federation = JSON.stringify({
    type: 'external_account',
    audience:
      '//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/tricloud-aws/providers/aws-1',
    subject_token_type: 'urn:ietf:params:aws:token-type:aws4_request',
    credential_source: { environment_id: 'aws1' },
  });

  it('holds the configuration as one file, byte for byte the same on every build', async () => {
    const env = { [gcpCredentialConfigVariable]: federation };
    const zip = await writeCredentialsZip(dist, env);
    expect(zip).toBe(path.join(dist, gcpCredentialsZip));
    const first = await readFile(zip!);
    expect(Object.keys(unzipSync(first))).toEqual([gcpCredentialsFile]);
    expect(strFromU8(unzipSync(first)[gcpCredentialsFile]!)).toBe(federation);
    await writeCredentialsZip(dist, env);
    expect(await readFile(zip!)).toEqual(first);
  });

  it('is not made without a configuration, and refuses a key or text that is not JSON without quoting it', async () => {
    expect(await writeCredentialsZip(dist, {})).toBeUndefined();
    expect(optionalArtifactVariables('aws', dist)).toEqual({});
    const key = JSON.stringify({ type: 'service_account', private_key: 'SECRET-KEY' });
    const refused = writeCredentialsZip(dist, { [gcpCredentialConfigVariable]: key });
    await expect(refused).rejects.toThrow(
      /not a workload identity federation configuration .*not service_account/,
    );
    await expect(refused).rejects.toThrow(/aws_sync_credential_config/);
    await expect(writeCredentialsZip(dist, { [gcpCredentialConfigVariable]: 'SECRET{' })).rejects.toThrow(
      new RegExp(`^${gcpCredentialConfigVariable} is not JSON\\.`),
    );
    await expect(writeCredentialsZip(dist, { [gcpCredentialConfigVariable]: 'SECRET{' })).rejects.not.toThrow(
      /SECRET/,
    );
  });

  it('reaches terraform as gcp_credentials_zip when the build made it, and only for AWS', async () => {
    await writeCredentialsZip(dist, { [gcpCredentialConfigVariable]: federation });
    const zip = path.join(dist, gcpCredentialsZip);
    expect(optionalArtifactVariables('aws', dist)).toEqual({ gcp_credentials_zip: zip });
    expect(optionalArtifactVariables('gcp', dist)).toEqual({});
    const { artifactArgs } = prepareStack('aws', 'terraform', {}, dist);
    expect(artifactArgs).toContain(`gcp_credentials_zip=${zip}`);
    expect(stacks.aws.variable.gcp_credentials_zip?.default).toBe('');
  });
});

describe('the dependency lock file', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'tricloud-lock-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('is named after the init that wrote it, to be committed', async () => {
    const lock = path.join(dir, '.terraform.lock.hcl');
    expect(lockFileNotice(lock, false)).toBeUndefined();
    await mkdir(dir, { recursive: true });
    await writeFile(lock, '# providers\n');
    expect(lockFileNotice(lock, false)).toMatch(/terraform init wrote .*\.terraform\.lock\.hcl .*Commit it/);
    expect(lockFileNotice(lock, true)).toBeUndefined();
  });

  it('is not ignored by git, and README tells users to commit it', async () => {
    const ignored = (await readFile(path.join(repoRoot, '.gitignore'), 'utf8')).split('\n');
    for (const pattern of ignored) expect('.terraform.lock.hcl').not.toMatch(globToRegExp(pattern));
    const readme = await readFile(path.join(repoRoot, 'README.md'), 'utf8');
    const deploying = readme.slice(readme.indexOf('## Deploying'));
    expect(deploying).toMatch(/`\.terraform\.lock\.hcl`[\s\S]*\*\*commit it\*\*/);
  });
});

/** A .gitignore line as a regular expression over a file name (enough for this repository's patterns). */
function globToRegExp(pattern: string): RegExp {
  const line = pattern.trim();
  if (line === '' || line.startsWith('#') || line.startsWith('!')) return /^\b$/;
  const body = line
    .replace(/\/$/, '')
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*');
  return new RegExp(`^${body}$`);
}
