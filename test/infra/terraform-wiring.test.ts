/**
 * The wiring of the three Terraform stacks, read from the parsed HCL (no provider, no cloud): names equal the
 * local manifest, each trigger reads the manifest's queue/topic/hub, dead-lettering is configured, the functions
 * get the env contract and the outputs name it, every policy names only what its function uses, and data is
 * encrypted with TLS enforced. `terraform validate` needs the providers, which `tricloud deploy` downloads and runs.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { deployables } from '../../scripts/build/deployables.ts';
import { artifactVariables } from '../../scripts/deploy/stacks.ts';
import { loadManifest, type ResourceManifest } from '../../scripts/local-stack/manifest.ts';
import { aggregatesTableDefinition } from '../../scripts/local-stack/provision-aws.ts';
import {
  aggregatesIndexingPolicy,
  cosmosPartitionKeyPath,
} from '../../scripts/local-stack/provision-azure.ts';
import { envNames } from '../../shared/config/environment.ts';
import {
  type Block,
  block,
  loadTerraform,
  nested,
  ref,
  type TerraformConfig,
  terraformFiles,
  variableOf,
} from './terraform-config.ts';

let manifest: ResourceManifest;
const stacks: Record<'aws' | 'gcp' | 'azure', TerraformConfig> = {} as never;

beforeAll(async () => {
  manifest = await loadManifest();
  for (const cloud of ['aws', 'gcp', 'azure'] as const) stacks[cloud] = await loadTerraform(cloud);
});

/** Manifest field → the Terraform variable whose default must equal it. */
const manifestVariables = {
  aws: {
    region: 'region',
    queue: 'queue_name',
    deadLetterQueue: 'dead_letter_queue_name',
    maxReceiveCount: 'max_receive_count',
    aggregatesTable: 'aggregates_table_name',
    changesIndex: 'changes_index_name',
    windowsIndex: 'windows_index_name',
    deadLettersTable: 'dead_letters_table_name',
  },
  gcp: {
    region: 'region',
    topic: 'topic_name',
    subscription: 'subscription_name',
    deadLetterTopic: 'dead_letter_topic_name',
    deadLetterSubscription: 'dead_letter_subscription_name',
    maxDeliveryAttempts: 'max_delivery_attempts',
    syncTopic: 'sync_topic_name',
    aggregatesCollection: 'aggregates_collection',
    deadLettersCollection: 'dead_letters_collection',
    syncStateCollection: 'sync_state_collection',
  },
  azure: {
    location: 'location',
    eventHub: 'event_hub_name',
    partitions: 'partitions',
    consumerGroup: 'consumer_group',
    cosmosDatabase: 'cosmos_database',
    aggregatesContainer: 'aggregates_container',
    deadLettersContainer: 'dead_letters_container',
    syncStateContainer: 'sync_state_container',
  },
} as const;

/**
 * Manifest fields that are the local stack's alone: the emulators' project id (a real project is always given), and
 * the local queue's visibility timeout (the cloud's is derived from the ingest timeout and batching window; see
 * operations.test.ts).
 */
const localOnly: Record<string, readonly string[]> = {
  aws: ['visibilityTimeoutSeconds'],
  gcp: ['projectId'],
  azure: [],
};

/** Keys of a `{ ... }` local or attribute (hcl2json keeps object constructors as objects). */
function keysOf(value: unknown): string[] {
  return value !== null && typeof value === 'object' ? Object.keys(value) : [];
}

describe.each(['aws', 'gcp', 'azure'] as const)('infra/%s against infra/manifest.json', (cloud) => {
  it('defaults every resource name and setting of the manifest, and no other value for it', () => {
    const mapping = manifestVariables[cloud] as Record<string, string>;
    const fields = Object.keys(manifest[cloud]).filter((f) => !localOnly[cloud]?.includes(f));
    expect(Object.keys(mapping).sort()).toEqual(fields.sort());
    for (const [field, variable] of Object.entries(mapping)) {
      const declared = stacks[cloud].variable[variable];
      expect(declared, `variable ${variable}`).toBeDefined();
      expect(declared?.default, `variable ${variable} (manifest ${cloud}.${field})`).toEqual(
        (manifest[cloud] as unknown as Record<string, unknown>)[field],
      );
    }
  });

  it('takes the build artifacts that tricloud deploy passes, with no default', () => {
    for (const name of Object.keys(artifactVariables(cloud, 'dist'))) {
      const declared = stacks[cloud].variable[name];
      expect(declared, `variable ${name}`).toBeDefined();
      expect(declared).not.toHaveProperty('default');
    }
  });

  it('sets only pipeline settings the functions read', async () => {
    const root = path.resolve(import.meta.dirname, '..', '..');
    const readers = [
      'shared/config/environment/pipeline.ts',
      'shared/config/environment/sync.ts',
      'shared/observability/log.ts',
    ];
    const read = new Set<string>();
    for (const file of readers) {
      for (const m of (await readFile(path.join(root, file), 'utf8')).matchAll(/TRICLOUD_[A-Z_]+/g))
        read.add(m[0]);
    }
    const defaults = keysOf(stacks[cloud].variable.pipeline_settings?.default);
    expect(defaults.length).toBeGreaterThan(0);
    for (const name of defaults) expect(read, name).toContain(name);
  });

  it('outputs the env contract: every output in capitals is a contract name', () => {
    // The cloud's own names, and the identities between stacks that tricloud deploy hands the next stack.
    const contract = new Set<string>([...Object.values(envNames[cloud]), ...Object.values(envNames.deploy)]);
    const upper = Object.keys(stacks[cloud].output).filter((n) => /^[A-Z0-9_]+$/.test(n));
    expect(upper.length).toBeGreaterThan(4);
    for (const name of upper) expect(contract, `output ${name}`).toContain(name);
  });
});

describe('infra/aws', () => {
  const r = (type: string, name: string) => block(stacks.aws, 'resource', type, name);

  it('names the queues and tables after the manifest variables', () => {
    expect(variableOf(r('aws_sqs_queue', 'records').name)).toBe('queue_name');
    expect(variableOf(r('aws_sqs_queue', 'dead_letters').name)).toBe('dead_letter_queue_name');
    expect(variableOf(r('aws_dynamodb_table', 'aggregates').name)).toBe('aggregates_table_name');
    expect(variableOf(r('aws_dynamodb_table', 'dead_letters').name)).toBe('dead_letters_table_name');
  });

  it('dead-letters the records queue after max_receive_count receives', () => {
    const redrive = String(r('aws_sqs_queue', 'records').redrive_policy);
    expect(redrive).toContain('deadLetterTargetArn = aws_sqs_queue.dead_letters.arn');
    expect(redrive).toContain('maxReceiveCount     = var.max_receive_count');
    expect(r('aws_sqs_queue', 'records').visibility_timeout_seconds).toBe(
      ref('local.records_visibility_timeout_seconds'),
    );
  });

  it('triggers ingest from the records queue in batches, reporting failed items', () => {
    const mapping = r('aws_lambda_event_source_mapping', 'records');
    expect(mapping.event_source_arn).toBe(ref('aws_sqs_queue.records.arn'));
    expect(mapping.function_name).toBe(ref('aws_lambda_function.ingest.arn'));
    expect(mapping.function_response_types).toEqual(['ReportBatchItemFailures']);
    const window = variableOf(mapping.maximum_batching_window_in_seconds);
    expect(stacks.aws.variable[window ?? '']?.default).toBeGreaterThan(0);
  });

  it('declares the changes and windows indexes exactly as the local stack creates them', () => {
    const table = r('aws_dynamodb_table', 'aggregates');
    const local = aggregatesTableDefinition(manifest);
    const attributes = (table.attribute as { name: string; type: string }[]).map((a) => [a.name, a.type]);
    expect(attributes.sort()).toEqual(
      local.AttributeDefinitions?.map((a) => [a.AttributeName, a.AttributeType]).sort(),
    );
    const indexes = table.global_secondary_index as Block[];
    const variables = {
      [manifest.aws.changesIndex]: 'changes_index_name',
      [manifest.aws.windowsIndex]: 'windows_index_name',
    };
    expect(indexes).toHaveLength(local.GlobalSecondaryIndexes?.length ?? 0);
    for (const localGsi of local.GlobalSecondaryIndexes ?? []) {
      const gsi = indexes.find((i) => variableOf(i.name) === variables[localGsi.IndexName!]);
      expect(gsi, localGsi.IndexName).toBeDefined();
      expect(gsi!.hash_key).toBe(localGsi.KeySchema?.find((k) => k.KeyType === 'HASH')?.AttributeName);
      expect(gsi!.range_key).toBe(localGsi.KeySchema?.find((k) => k.KeyType === 'RANGE')?.AttributeName);
      expect(gsi!.projection_type).toBe(localGsi.Projection?.ProjectionType);
    }
  });

  it('runs the three Lambdas as the build packages them', () => {
    const zips = Object.fromEntries(deployables.filter((d) => d.cloud === 'aws').map((d) => [d.name, d.zip]));
    expect(Object.keys(zips).sort()).toEqual(['aws-ingest', 'aws-read', 'aws-sync']);
    for (const name of ['ingest', 'sync', 'read']) {
      const fn = r('aws_lambda_function', name);
      expect(fn.handler).toBe('index.handler');
      expect(fn.runtime).toBe('nodejs22.x');
      expect(variableOf(fn.filename)).toBe(`${name}_zip`);
      expect(fn.kms_key_arn).toBe(ref('aws_kms_key.functions.arn'));
    }
  });

  it('serves reads only to signed requests, and lets the read function query the windows index only', () => {
    expect(r('aws_lambda_function_url', 'read').authorization_type).toBe('AWS_IAM');
    const statements = stacks.aws.data.aws_iam_policy_document?.read?.statement as Block[];
    const actions = statements.flatMap((st) => st.actions as string[]);
    expect(actions.filter((a) => a.startsWith('dynamodb:'))).toEqual(['dynamodb:Query']);
    expect(statements[0]?.resources).toEqual([
      `${ref('aws_dynamodb_table.aggregates.arn')}/index/${ref('var.windows_index_name')}`,
    ]);
  });

  it('gives the functions every AWS resource name of the env contract (the runtime adds AWS_REGION)', () => {
    const given = new Set(keysOf(stacks.aws.locals.aws_env));
    const n = envNames.aws;
    for (const name of [
      n.queueUrl,
      n.deadLetterQueueUrl,
      n.aggregatesTable,
      n.changesIndex,
      n.deadLettersTable,
    ]) {
      expect(given, name).toContain(name);
    }
    for (const name of ['ingest', 'sync']) {
      const variables = String(nested(r('aws_lambda_function', name), 'environment').variables);
      expect(variables).toContain('local.aws_env');
    }
    // The Lambda runtime sets these itself and refuses them in a function's environment.
    expect(given).not.toContain(n.region);
    expect(given).not.toContain(n.accessKeyId);
  });

  it('invokes sync on a schedule through a role that may invoke only sync', () => {
    const schedule = r('aws_scheduler_schedule', 'sync');
    const target = nested(schedule, 'target');
    expect(target.arn).toBe(ref('aws_lambda_function.sync.arn'));
    expect(target.role_arn).toBe(ref('aws_iam_role.scheduler.arn'));
  });

  it('retains logs and alarms on dead-letter queue depth', () => {
    for (const group of Object.values(stacks.aws.resource.aws_cloudwatch_log_group ?? {})) {
      expect(variableOf(group.retention_in_days)).toBe('log_retention_days');
    }
    const alarm = r('aws_cloudwatch_metric_alarm', 'dead_letters');
    expect(alarm.metric_name).toBe('ApproximateNumberOfMessagesVisible');
    expect(alarm.dimensions).toEqual({ QueueName: ref('aws_sqs_queue.dead_letters.name') });
  });

  it('encrypts at rest, recovers to a point in time, and refuses plain HTTP on the queues', () => {
    for (const name of ['records', 'dead_letters']) {
      expect(r('aws_sqs_queue', name).sqs_managed_sse_enabled).toBe(true);
      expect(
        nested(r('aws_dynamodb_table', name === 'records' ? 'aggregates' : name), 'server_side_encryption')
          .enabled,
      ).toBe(true);
      expect(
        nested(r('aws_dynamodb_table', name === 'records' ? 'aggregates' : name), 'point_in_time_recovery')
          .enabled,
      ).toBe(true);
    }
    const tls = nested(block(stacks.aws, 'data', 'aws_iam_policy_document', 'tls_only'), 'statement');
    expect(tls.effect).toBe('Deny');
    expect(nested(tls, 'condition')).toMatchObject({ variable: 'aws:SecureTransport', values: ['false'] });
  });
});

/** `dynamodb:<Operation>` for every DynamoDB command the AWS adapters send. */
async function dynamoOperationsInCode(): Promise<Set<string>> {
  const dir = path.resolve(import.meta.dirname, '..', '..', 'shared', 'clouds', 'aws');
  const ops = new Set<string>();
  for (const file of ['dynamo-store.ts', 'dynamo-dead-letters.ts']) {
    const source = await readFile(path.join(dir, file), 'utf8');
    for (const m of source.matchAll(/new (\w+)Command\(/g)) ops.add(`dynamodb:${m[1]}`);
  }
  return ops;
}

describe('infra/aws IAM', () => {
  type Statement = { actions: string[]; resources: string[]; effect?: string };
  const statements = (name: string) =>
    (block(stacks.aws, 'data', 'aws_iam_policy_document', name).statement as Statement[]).filter(
      (s) => (s.effect ?? 'Allow') === 'Allow',
    );

  /** What each identity may touch: the resource references its policy may name. */
  const allowed: Record<string, string[]> = {
    ingest: [
      ref('aws_sqs_queue.records.arn'),
      ref('aws_dynamodb_table.aggregates.arn'),
      ref('aws_dynamodb_table.dead_letters.arn'),
      `${ref('aws_cloudwatch_log_group.functions["ingest"].arn')}:*`,
      ref('aws_kms_key.functions.arn'),
    ],
    sync: [
      ref('aws_dynamodb_table.aggregates.arn'),
      `${ref('aws_dynamodb_table.aggregates.arn')}/index/${ref('var.changes_index_name')}`,
      ref('aws_secretsmanager_secret.sync_cross_cloud.arn'),
      ref('aws_sqs_queue.sync_failures.arn'),
      `${ref('aws_cloudwatch_log_group.functions["sync"].arn')}:*`,
      ref('aws_kms_key.functions.arn'),
    ],
    federated_sync: [
      ref('aws_dynamodb_table.aggregates.arn'),
      `${ref('aws_dynamodb_table.aggregates.arn')}/index/${ref('var.changes_index_name')}`,
    ],
    scheduler: [ref('aws_lambda_function.sync.arn')],
  };

  it.each(Object.keys(allowed))('%s names only the resources it uses, with no wildcard action', (name) => {
    for (const s of statements(name)) {
      for (const action of s.actions) expect(action, `${name}: ${action}`).not.toContain('*');
      for (const resource of s.resources) expect(allowed[name], `${name}: ${resource}`).toContain(resource);
    }
  });

  it('allows only DynamoDB operations the adapters send, and ingest no change query', async () => {
    const inCode = await dynamoOperationsInCode();
    for (const name of ['ingest', 'sync', 'federated_sync']) {
      const dynamo = statements(name).flatMap((s) => s.actions.filter((a) => a.startsWith('dynamodb:')));
      for (const action of dynamo) expect(inCode, `${name}: ${action}`).toContain(action);
    }
    expect(statements('ingest').flatMap((s) => s.actions)).not.toContain('dynamodb:Query');
    expect(statements('sync').flatMap((s) => s.resources)).not.toContain(
      ref('aws_dynamodb_table.dead_letters.arn'),
    );
  });
});

describe('infra/gcp', () => {
  const r = (type: string, name: string) => block(stacks.gcp, 'resource', type, name);

  it('has no default project: the manifest names the emulators project', () => {
    expect(stacks.gcp.variable.project_id).not.toHaveProperty('default');
  });

  it('names topics and subscriptions after the manifest variables', () => {
    expect(variableOf(r('google_pubsub_topic', 'records').name)).toBe('topic_name');
    expect(variableOf(r('google_pubsub_topic', 'dead_letters').name)).toBe('dead_letter_topic_name');
    expect(variableOf(r('google_pubsub_topic', 'sync_tick').name)).toBe('sync_topic_name');
    expect(variableOf(r('google_pubsub_subscription', 'ingest').name)).toBe('subscription_name');
    expect(variableOf(r('google_pubsub_subscription', 'dead_letters').name)).toBe(
      'dead_letter_subscription_name',
    );
  });

  it('delivers the records topic to ingest, dead-lettering after max_delivery_attempts', () => {
    const subscription = r('google_pubsub_subscription', 'ingest');
    expect(subscription.topic).toBe(ref('google_pubsub_topic.records.id'));
    const push = nested(subscription, 'push_config');
    expect(push.push_endpoint).toMatch(
      /^\$\{google_cloudfunctions2_function\.ingest\.service_config\[0\]\.uri\}\//,
    );
    // The Functions Framework turns a push body into a CloudEvent only when the path names the topic.
    expect(push.push_endpoint).toMatch(/\/projects\/\$\{var\.project_id\}\/topics\/\$\{var\.topic_name\}$/);
    expect(nested(push, 'oidc_token').service_account_email).toBe(
      ref('google_service_account.ingest_invoker.email'),
    );
    const deadLetter = nested(subscription, 'dead_letter_policy');
    expect(deadLetter.dead_letter_topic).toBe(ref('google_pubsub_topic.dead_letters.id'));
    expect(variableOf(deadLetter.max_delivery_attempts)).toBe('max_delivery_attempts');
    expect(r('google_pubsub_topic_iam_member', 'dead_letter_publisher').topic).toBe(
      ref('google_pubsub_topic.dead_letters.id'),
    );
  });

  it('runs sync from the scheduler through the sync topic and an Eventarc trigger', () => {
    const job = nested(r('google_cloud_scheduler_job', 'sync'), 'pubsub_target');
    expect(job.topic_name).toBe(ref('google_pubsub_topic.sync_tick.id'));
    const trigger = nested(r('google_cloudfunctions2_function', 'sync'), 'event_trigger');
    expect(trigger.pubsub_topic).toBe(ref('google_pubsub_topic.sync_tick.id'));
    expect(trigger.event_type).toBe('google.cloud.pubsub.topic.v1.messagePublished');
    expect(trigger.service_account_email).toBe(ref('google_service_account.sync_trigger.email'));
  });

  it('builds both functions from the build zip with their entry points on Node 22', () => {
    for (const name of ['ingest', 'sync']) {
      const build = nested(r('google_cloudfunctions2_function', name), 'build_config');
      expect(build.entry_point).toBe(name);
      expect(build.runtime).toBe('nodejs22');
      const service = nested(r('google_cloudfunctions2_function', name), 'service_config');
      expect(service.service_account_email).toBe(`\${google_service_account.${name}.email}`);
      expect(String(service.environment_variables)).toContain('local.gcp_env');
    }
    expect(r('google_storage_bucket_object', 'functions').source).toBe(ref('var.functions_zip'));
  });

  it('gives the functions every Google resource name of the env contract', () => {
    const given = new Set(keysOf(stacks.gcp.locals.gcp_env));
    // Google's own functions use their service account, never a credential as text or another cloud's identity
    // (those are Azure's sync's: federation.test.ts); the read URL is for clients.
    const { pubsubEmulatorHost, firestoreEmulatorHost, credentialsJson, readUrl: _, ...rest } = envNames.gcp;
    const { tokenSource, workloadIdentityProvider, serviceAccount, audience, ...names } = rest;
    for (const name of Object.values(names)) expect(given, name).toContain(name);
    const none = [
      pubsubEmulatorHost,
      firestoreEmulatorHost,
      credentialsJson,
      tokenSource,
      workloadIdentityProvider,
    ];
    for (const name of [...none, serviceAccount, audience]) expect(given).not.toContain(name);
  });

  it('requires IAM for the read function: invokers are named members, never public, and it only reads', () => {
    const invokers = r('google_cloud_run_service_iam_member', 'read_invokers');
    expect(invokers.role).toBe('roles/run.invoker');
    expect(invokers.member).toBe(ref('each.value'));
    expect(stacks.gcp.variable.read_invokers?.default).toEqual([]);
    expect(JSON.stringify(stacks.gcp)).not.toMatch(/allUsers|allAuthenticatedUsers/);
    expect(stacks.gcp.resource.google_project_iam_custom_role?.read?.permissions).toEqual([
      'datastore.entities.get',
      'datastore.entities.list',
    ]);
    expect(nested(r('google_cloudfunctions2_function', 'read'), 'build_config').entry_point).toBe('read');
  });

  it('grants each service account only its own Firestore permissions, secrets and invoker', () => {
    const roles = stacks.gcp.resource.google_project_iam_custom_role ?? {};
    expect(roles.ingest?.permissions).toEqual([
      'datastore.entities.create',
      'datastore.entities.get',
      'datastore.entities.update',
    ]);
    expect(roles.sync?.permissions).toContain('datastore.entities.list');
    for (const role of Object.values(roles)) {
      for (const p of role.permissions as string[]) expect(p).not.toContain('*');
    }
    const firestore = r('google_project_iam_member', 'firestore');
    expect(nested(firestore, 'condition').expression).toBe(ref('local.firestore_condition'));
    // Azure's sync reads Firestore with a key of its own account, which holds sync's role and nothing else.
    const bindings = stacks.gcp.locals.firestore_bindings as string;
    expect(bindings).toContain(
      'azure_sync = { role = google_project_iam_custom_role.sync.name, member = google_service_account.azure_sync.member }',
    );
    expect(stacks.gcp.output.azure_sync_service_account?.value).toBe(
      ref('google_service_account.azure_sync.email'),
    );
    expect(r('google_secret_manager_secret_iam_member', 'sync').member).toBe(
      ref('google_service_account.sync.member'),
    );
    const invokers = stacks.gcp.resource.google_cloud_run_service_iam_member ?? {};
    expect(invokers.ingest_invoker).toMatchObject({
      service: ref('google_cloudfunctions2_function.ingest.name'),
      member: ref('google_service_account.ingest_invoker.member'),
      role: 'roles/run.invoker',
    });
    expect(invokers.sync_trigger).toMatchObject({
      service: ref('google_cloudfunctions2_function.sync.name'),
      member: ref('google_service_account.sync_trigger.member'),
      role: 'roles/run.invoker',
    });
    // No basic role anywhere.
    for (const type of Object.keys(stacks.gcp.resource).filter((t) => t.endsWith('_iam_member'))) {
      for (const binding of Object.values(stacks.gcp.resource[type] ?? {})) {
        expect(String(binding.role)).not.toMatch(/^roles\/(owner|editor|viewer)$/);
      }
    }
  });

  it('keeps Firestore recoverable to a point in time, indexes the change order, and keeps functions internal', () => {
    expect(r('google_firestore_database', 'default').point_in_time_recovery_enablement).toBe(
      'POINT_IN_TIME_RECOVERY_ENABLED',
    );
    // The queries of shared/clouds/gcp/firestore-store.ts: slices by change order, windows by start.
    const indexed = (name: string) => {
      const index = r('google_firestore_index', name);
      expect(variableOf(index.collection)).toBe('aggregates_collection');
      return (index.fields as Block[]).map((f) => `${f.field_path} ${f.order}`);
    };
    expect(indexed('slice_changes')).toEqual(['kind ASCENDING', 'updatedAt ASCENDING', '__name__ ASCENDING']);
    expect(indexed('windows_by_start')).toEqual(['seriesWindow ASCENDING', 'start ASCENDING']);
    for (const name of ['ingest', 'sync']) {
      expect(nested(r('google_cloudfunctions2_function', name), 'service_config').ingress_settings).toBe(
        'ALLOW_INTERNAL_ONLY',
      );
    }
  });
});

describe('infra/azure', () => {
  const r = (type: string, name: string) => block(stacks.azure, 'resource', type, name);

  it('reads the manifest hub with the manifest consumer group', () => {
    expect(variableOf(r('azurerm_eventhub', 'records').name)).toBe('event_hub_name');
    expect(variableOf(r('azurerm_eventhub', 'records').partition_count)).toBe('partitions');
    const group = r('azurerm_eventhub_consumer_group', 'ingest');
    expect(variableOf(group.name)).toBe('consumer_group');
    expect(group.eventhub_name).toBe(ref('azurerm_eventhub.records.name'));
    const env = stacks.azure.locals.azure_env as Record<string, string>;
    expect(env.EVENTHUB_NAME).toBe(ref('azurerm_eventhub.records.name'));
    expect(env.EVENTHUB_CONSUMER_GROUP).toBe(ref('azurerm_eventhub_consumer_group.ingest.name'));
    expect(env.TRICLOUD_SYNC_SCHEDULE).toBe(ref('var.sync_schedule'));
  });

  it('lets ingest only listen on the hub, through a Key Vault reference', () => {
    const listen = r('azurerm_eventhub_authorization_rule', 'ingest_listen');
    expect([listen.listen, listen.send, listen.manage]).toEqual([true, false, false]);
    expect(String(stacks.azure.locals.app_secrets)).toContain(
      'EVENTHUB_CONNECTION_STRING = azurerm_eventhub_authorization_rule.ingest_listen.primary_connection_string',
    );
    expect(String(stacks.azure.locals.secret_reference)).toContain('@Microsoft.KeyVault(SecretUri=');
  });

  it('gives the app every Azure setting of the env contract, secrets from Key Vault', () => {
    const plain = keysOf(stacks.azure.locals.azure_env);
    const secrets = ['EVENTHUB_CONNECTION_STRING', 'COSMOS_KEY'];
    // The read URL and key are for clients, not for the app.
    const { cosmosTrustSelfSignedCertificate, readUrl: _url, readKey: _key, ...names } = envNames.azure;
    for (const name of Object.values(names)) expect([...plain, ...secrets], name).toContain(name);
    expect(plain).not.toContain(cosmosTrustSelfSignedCertificate);
    for (const secret of secrets) expect(plain).not.toContain(secret);
    const settings = String(r('azurerm_function_app_flex_consumption', 'main').app_settings);
    expect(settings).toContain('local.azure_env');
    expect(settings).toContain('local.secret_reference');
  });

  it('serves reads from an app of their own: its own identity, the read-only key, the read function alone', () => {
    const app = r('azurerm_function_app_flex_consumption', 'read');
    const settings = app.app_settings as Record<string, string>;
    expect(settings['AzureWebJobs.ingest.Disabled']).toBe('true');
    expect(settings['AzureWebJobs.sync.Disabled']).toBe('true');
    expect(settings.COSMOS_KEY).toBe(
      `@Microsoft.KeyVault(SecretUri=${ref('azurerm_key_vault_secret.cosmos_read_key.versionless_id')})`,
    );
    expect(r('azurerm_key_vault_secret', 'cosmos_read_key').value).toBe(
      ref('azurerm_cosmosdb_account.main.primary_readonly_key'),
    );
    expect(JSON.stringify(settings)).not.toMatch(/EVENTHUB|AWS_|GOOGLE|primary_key\b/);
    expect(r('azurerm_role_assignment', 'read_secret').scope).toBe(
      ref('azurerm_key_vault_secret.cosmos_read_key.resource_versionless_id'),
    );
    expect(String(r('azurerm_function_app_flex_consumption', 'main').app_settings)).toContain(
      'AzureWebJobs.read.Disabled',
    );
  });

  it('partitions every container by /id and declares the change-order composite index of the local stack', () => {
    for (const [name, variable] of [
      ['aggregates', 'aggregates_container'],
      ['dead_letters', 'dead_letters_container'],
      ['sync_state', 'sync_state_container'],
    ] as const) {
      const container = r('azurerm_cosmosdb_sql_container', name);
      expect(variableOf(container.name)).toBe(variable);
      expect(container.partition_key_paths).toEqual([cosmosPartitionKeyPath]);
    }
    const policy = nested(r('azurerm_cosmosdb_sql_container', 'aggregates'), 'indexing_policy');
    const composites = (policy.composite_index as Block[]).map((composite) =>
      (composite.index as { path: string; order: string }[]).map((i) => ({
        path: i.path,
        order: i.order.toLowerCase() === 'ascending' ? 'ascending' : 'descending',
      })),
    );
    expect(composites).toEqual(aggregatesIndexingPolicy.compositeIndexes);
    expect(variableOf(r('azurerm_cosmosdb_sql_database', 'main').name)).toBe('cosmos_database');
  });

  it('runs a Flex Consumption app on Node 22 from the build zip with a managed identity', () => {
    const app = r('azurerm_function_app_flex_consumption', 'main');
    expect(app.runtime_name).toBe('node');
    expect(app.runtime_version).toBe('22');
    const publish = r('terraform_data', 'publish');
    expect(publish.triggers_replace).toContain(ref('filemd5(var.functionapp_zip)'));
    const provisioner = publish.provisioner as Record<string, Block[]>;
    const exec = provisioner['local-exec']?.[0];
    expect(exec?.command).toMatch(/^az functionapp deployment source config-zip .*--src "\$PACKAGE"$/);
    expect(exec?.environment).toMatchObject({ PACKAGE: ref('var.functionapp_zip') });
    expect(nested(app, 'identity').type).toBe('SystemAssigned');
    expect(r('azurerm_service_plan', 'functions').sku_name).toBe('FC1');
  });

  it('scopes role assignments to single resources', () => {
    const principal = ref('azurerm_function_app_flex_consumption.main.identity[0].principal_id');
    const assignments = stacks.azure.resource.azurerm_role_assignment ?? {};
    expect(assignments.app_storage).toMatchObject({
      scope: ref('azurerm_storage_account.functions.id'),
      principal_id: principal,
    });
    expect(assignments.app_secrets).toMatchObject({
      scope: ref('azurerm_key_vault.main.id'),
      role_definition_name: 'Key Vault Secrets User',
      principal_id: principal,
    });
    for (const a of Object.values(assignments)) {
      expect(String(a.scope)).not.toMatch(/resource_group|subscription/);
      expect(String(a.role_definition_name)).not.toMatch(/^(Owner|Contributor)$/);
    }
  });

  it('requires TLS 1.2 everywhere and keeps continuous backups of Cosmos DB', () => {
    expect(r('azurerm_eventhub_namespace', 'main').minimum_tls_version).toBe('1.2');
    expect(r('azurerm_cosmosdb_account', 'main').minimal_tls_version).toBe('Tls12');
    expect(nested(r('azurerm_cosmosdb_account', 'main'), 'backup').type).toBe('Continuous');
    const storage = r('azurerm_storage_account', 'functions');
    expect(storage).toMatchObject({
      min_tls_version: 'TLS1_2',
      https_traffic_only_enabled: true,
      shared_access_key_enabled: false,
    });
    expect(r('azurerm_function_app_flex_consumption', 'main').https_only).toBe(true);
  });
});

describe('the sync functions', () => {
  /** Transport variables (queues, topics, hubs) of the env contract, which sync never reads (readStoreSettings). */
  const transport = [
    envNames.aws.queueUrl,
    envNames.aws.deadLetterQueueUrl,
    envNames.gcp.topic,
    envNames.gcp.subscription,
    envNames.azure.eventHubConnectionString,
  ];

  it('are given no placeholder for a variable they do not read', async () => {
    const sources = await Promise.all(
      (['aws', 'gcp'] as const).flatMap(async (cloud) => {
        const files = await terraformFiles(cloud);
        return Promise.all(files.map((f) => readFile(f, 'utf8')));
      }),
    );
    expect(sources.flat().join('\n')).not.toMatch(/unused-by-sync/);
    const awsSync = [
      String(stacks.aws.locals.sync_cross_cloud_env),
      String(nested(block(stacks.aws, 'resource', 'aws_lambda_function', 'sync'), 'environment').variables),
    ].join('\n');
    expect(awsSync).toContain('local.sync_cross_cloud_env');
    const gcpSync = String(
      nested(block(stacks.gcp, 'resource', 'google_cloudfunctions2_function', 'sync'), 'service_config')
        .environment_variables,
    );
    expect(gcpSync).toContain('var.azure_settings');
    for (const name of transport) {
      expect(awsSync, name).not.toContain(name);
      expect(gcpSync, name).not.toContain(name);
    }
  });

  it('on Azure reads Firestore with the Google credential as text, from Key Vault', () => {
    const name = envNames.gcp.credentialsJson;
    const variable = stacks.azure.variable.gcp_credentials_json;
    expect(variable?.sensitive).toBe(true);
    expect(variable?.default).toBe('');
    expect(String(stacks.azure.locals.app_secrets)).toContain(`${name} = var.gcp_credentials_json`);
    // Only a given credential becomes a secret (and so a Key Vault reference in the app settings).
    expect(String(stacks.azure.locals.app_secret_names)).toContain(
      `nonsensitive(var.gcp_credentials_json == "") ? [] : ["${name}"]`,
    );
    expect(keysOf(stacks.azure.locals.azure_env)).not.toContain(name);
  });
});

describe('the default regions', () => {
  it('are in the EU', () => {
    expect(stacks.aws.variable.region?.default).toBe('eu-central-1');
    expect(stacks.gcp.variable.region?.default).toBe('europe-west3');
    expect(stacks.azure.variable.location?.default).toBe('germanywestcentral');
  });
});
