/**
 * The alarms and dashboards of the three stacks (`infra/<cloud>/monitoring.tf`) read the functions' own metric
 * lines. Real lines — written by the ingest and sync runtimes over in-memory stores, in each cloud's form — carry
 * every metric, dimension, label and field that an alarm, a log filter or a query names; GCP's log filters, filled
 * in as Terraform fills them, match the lines they should and no other; every alarm notifies the stack's
 * notification targets, which are empty by default (and README says so); and each cloud alarms on what README
 * promises.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ingestRuntime } from '../../functions/ingest-runtime.ts';
import { syncRuntime } from '../../functions/sync-runtime.ts';
import { envNames } from '../../shared/config/environment.ts';
import { encodeMessage, ORIGINS, type Origin } from '../../shared/core/index.ts';
import { MemoryStore } from '../../shared/core/testing/index.ts';
import { METRICS_NAMESPACE } from '../../shared/observability/invocation-log.ts';
import { LOG_SINK, type LogSink } from '../../shared/observability/log.ts';
import { record } from '../helpers/records.ts';
import {
  type Block,
  block,
  infraDir,
  loadTerraform,
  nested,
  ref,
  type TerraformConfig,
} from './terraform-config.ts';

/** The stores the sync runtime opens: in memory, one per cloud (our composition root, not a cloud SDK). */
const stores = vi.hoisted(() => ({}) as Record<string, unknown>);
vi.mock('../../shared/clouds/all-stores.ts', () => ({
  createStores: async (origin: string) => ({ store: stores[origin], close: () => {} }),
}));

type Line = Record<string, unknown>;
/** Each cloud's lines, by function and what the invocation met. */
type Lines = Record<'ingestClean' | 'ingestDeadLetters' | 'sync' | 'syncSourceDown', Line>;

const lines = {} as Record<Origin, Lines>;
const stacks = {} as Record<Origin, TerraformConfig>;
const sources = {} as Record<Origin, string>;

/** Runs `action` and returns the one line it logged, as the cloud's log service receives it. */
async function lineOf(action: () => Promise<unknown>): Promise<Line> {
  const written: string[] = [];
  (globalThis as { [LOG_SINK]?: LogSink })[LOG_SINK] = (_level, line) => written.push(line);
  try {
    await action();
  } finally {
    delete (globalThis as { [LOG_SINK]?: LogSink })[LOG_SINK];
  }
  expect(written).toHaveLength(1);
  return JSON.parse(written[0]!) as Line;
}

/** What readStoreSettings needs to build the (in-memory) stores: names only, no endpoint is reached. */
function stubStoreEnv(): void {
  const { aws, gcp, azure } = envNames;
  const values: Record<string, string> = {
    [aws.region]: 'eu-central-1',
    [aws.aggregatesTable]: 'tricloud-aggregates',
    [aws.changesIndex]: 'byUpdatedAt',
    [aws.deadLettersTable]: 'tricloud-dead-letters',
    [gcp.projectId]: 'tricloud-test',
    [gcp.aggregatesCollection]: 'aggregates',
    [gcp.deadLettersCollection]: 'deadLetters',
    [gcp.syncStateCollection]: 'syncState',
    [azure.cosmosEndpoint]: 'https://tricloud.documents.azure.com:443/',
    [azure.cosmosKey]: 'a2V5',
    [azure.cosmosDatabase]: 'tricloud',
    [azure.aggregatesContainer]: 'aggregates',
    [azure.deadLettersContainer]: 'deadLetters',
    [azure.syncStateContainer]: 'syncState',
  };
  for (const [name, value] of Object.entries(values)) vi.stubEnv(name, value);
}

beforeAll(async () => {
  stubStoreEnv();
  for (const cloud of ORIGINS) stores[cloud] = new MemoryStore();
  for (const cloud of ORIGINS) {
    stacks[cloud] = await loadTerraform(cloud);
    sources[cloud] = await readFile(path.join(infraDir, cloud, 'monitoring.tf'), 'utf8');
    const ingest = ingestRuntime(cloud, () => ({
      store: stores[cloud] as MemoryStore,
      deadLetters: new MemoryStore(),
    }));
    const clean = [{ id: `${cloud}-1`, body: encodeMessage('b1', [record({ seq: 1 })]) }];
    // A negative quantity is an invalid record: dead-lettered with its reason, the message still succeeds.
    const invalid = [{ id: `${cloud}-2`, body: encodeMessage('b2', [record({ seq: 2, qty: -1 })]) }];
    lines[cloud] = {
      ingestClean: await lineOf(() => ingest(clean)),
      ingestDeadLetters: await lineOf(() => ingest(invalid)),
    } as Lines;
  }
  for (const cloud of ORIGINS) {
    const sync = syncRuntime(cloud);
    lines[cloud].sync = await lineOf(() => sync());
    const down = ORIGINS.find((o) => o !== cloud)!;
    (stores[down] as MemoryStore).down = true;
    lines[cloud].syncSourceDown = await lineOf(() => sync());
    (stores[down] as MemoryStore).down = false;
  }
});

afterAll(() => {
  vi.unstubAllEnvs();
});

const others = (cloud: Origin) => ORIGINS.filter((o) => o !== cloud);

describe('the lines the alarms read', () => {
  it.each(ORIGINS)('on %s carry the counts the alarms test, and a lag per source', (cloud) => {
    const metrics = (line: Line) =>
      (cloud === 'aws' ? line : cloud === 'gcp' ? line.metrics : line.customMeasurements) as Record<
        string,
        number
      >;
    expect(metrics(lines[cloud].ingestClean).deadLetters).toBe(0);
    expect(metrics(lines[cloud].ingestDeadLetters).deadLetters).toBe(1);
    expect(metrics(lines[cloud].sync).failedSources).toBe(0);
    expect(metrics(lines[cloud].syncSourceDown).failedSources).toBe(1);
    for (const source of others(cloud)) expect(metrics(lines[cloud].sync)).toHaveProperty(`${source}LagMs`);
  });
});

/** Fills `${each.key}` and `${each.value.<field>}` of a for_each template. */
function fill(template: unknown, key: string, value: Block = {}): string {
  return String(template)
    .replaceAll(ref('each.key'), key)
    .replace(/\$\{each\.value\.(\w+)\}/g, (_, field: string) => String(value[field]));
}

describe('infra/aws alarms', () => {
  const alarms = () => stacks.aws.resource.aws_cloudwatch_metric_alarm ?? {};

  /** Every alarm on a metric of the lines, one per for_each instance: [address, function, metric]. */
  function lineAlarms(): [string, string, string][] {
    const out: [string, string, string][] = [];
    const locals = stacks.aws.locals;
    for (const [name, alarm] of Object.entries(alarms())) {
      if (alarm.namespace !== ref('local.metrics_namespace')) continue;
      const dimension = (alarm.dimensions as Record<string, string>).function;
      const instances: [string, Block][] =
        alarm.for_each === ref('local.line_alarms')
          ? Object.entries(locals.line_alarms as Record<string, Block>)
          : alarm.for_each === ref('toset(local.sync_sources)')
            ? (locals.sync_sources as string[]).map((s) => [s, {}])
            : [['', {}]];
      for (const [key, value] of instances) {
        out.push([`${name}[${key}]`, fill(dimension, key, value), fill(alarm.metric_name, key, value)]);
      }
    }
    return out;
  }

  it('name the namespace and dimension of the Embedded Metric Format lines', () => {
    expect(stacks.aws.locals.metrics_namespace).toBe(METRICS_NAMESPACE);
    for (const line of [lines.aws.ingestDeadLetters, lines.aws.sync]) {
      const [directive] = (line._aws as { CloudWatchMetrics: Block[] }).CloudWatchMetrics;
      expect(directive?.Namespace).toBe(METRICS_NAMESPACE);
      expect(directive?.Dimensions).toEqual([['function']]);
    }
  });

  it('read only metrics the functions write, under their function', () => {
    const written = (line: Line) =>
      (
        (line._aws as { CloudWatchMetrics: { Metrics: { Name: string }[] }[] }).CloudWatchMetrics[0]
          ?.Metrics ?? []
      ).map((m) => m.Name);
    const byFunction: Record<string, Set<string>> = {
      ingest: new Set(written(lines.aws.ingestDeadLetters)),
      sync: new Set(written(lines.aws.sync)),
    };
    expect(lines.aws.ingestDeadLetters.function).toBe('ingest');
    expect(lines.aws.sync.function).toBe('sync');
    const found = lineAlarms();
    expect(found.map(([, , metric]) => metric).sort()).toEqual(
      ['deadLetters', 'durationMs', 'failedPermanently', 'failedSources', 'gcpLagMs', 'azureLagMs'].sort(),
    );
    for (const [address, fn, metric] of found) expect(byFunction[fn], `${address}: ${fn}`).toContain(metric);
  });

  it('alarm on a lag above the threshold variable, and on a sync whose line is missing', () => {
    const lag = alarms().sync_lag!;
    expect(lag.threshold).toBe(ref('var.sync_lag_threshold_seconds * 1000'));
    expect(lag.treat_missing_data).toBe('notBreaching');
    const absent = alarms().sync_absent!;
    expect(absent).toMatchObject({
      treat_missing_data: 'breaching',
      comparison_operator: 'LessThanThreshold',
    });
    expect(absent.evaluation_periods).toBe(ref('var.sync_absent_minutes'));
  });

  it('alarm on the transport DLQ, failed sync runs, and every function’s errors and throttles', () => {
    const queueOf = (name: string) =>
      (
        block(stacks.aws, 'resource', 'aws_cloudwatch_metric_alarm', name).dimensions as Record<
          string,
          string
        >
      ).QueueName;
    expect(queueOf('dead_letters')).toBe(ref('aws_sqs_queue.dead_letters.name'));
    expect(queueOf('sync_failures')).toBe(ref('aws_sqs_queue.sync_failures.name'));
    const functions = Object.keys(stacks.aws.locals.lambda_names as Block).sort();
    expect(functions).toEqual(['ingest', 'read', 'sync']);
    for (const [name, metric] of [
      ['errors', 'Errors'],
      ['throttles', 'Throttles'],
    ] as const) {
      expect(alarms()[name]).toMatchObject({
        for_each: ref('local.lambda_names'),
        namespace: 'AWS/Lambda',
        metric_name: metric,
        dimensions: { FunctionName: ref('each.value') },
      });
    }
  });

  it('notify local.alarm_actions, which is empty unless a variable names someone', () => {
    for (const [name, alarm] of Object.entries(alarms())) {
      expect(alarm.alarm_actions, name).toBe(ref('local.alarm_actions'));
      expect(alarm.ok_actions, name).toBe(ref('local.alarm_actions'));
    }
    expect(stacks.aws.locals.alarm_actions).toBe(
      ref('concat(var.alarm_actions, aws_sns_topic.alarms[*].arn)'),
    );
    expect(block(stacks.aws, 'resource', 'aws_sns_topic', 'alarms').count).toBe(
      ref('length(var.alarm_emails) > 0 ? 1 : 0'),
    );
    for (const name of ['alarm_actions', 'alarm_emails'])
      expect(stacks.aws.variable[name]?.default).toEqual([]);
  });

  it('show every alarm and the metrics they read on the dashboard', () => {
    const body = String(block(stacks.aws, 'resource', 'aws_cloudwatch_dashboard', 'main').dashboard_body);
    expect(body).toContain('local.dashboard_alarms');
    const alarmsShown = String(stacks.aws.locals.dashboard_alarms);
    for (const name of Object.keys(alarms()))
      expect(alarmsShown, name).toContain(`aws_cloudwatch_metric_alarm.${name}`);
    const graphs = JSON.stringify(stacks.aws.locals.dashboard_graphs);
    for (const [, , metric] of lineAlarms()) {
      if (metric.endsWith('LagMs')) expect(graphs).toContain(`\\"${ref('source')}LagMs\\"`);
      else if (metric !== 'durationMs') expect(graphs, metric).toContain(`"${metric}"`);
    }
  });
});

/** A Cloud Logging entry made from a structured line, as Cloud Run's logging agent makes it. */
function logEntry(line: Line, service: string): Line {
  const {
    severity,
    'logging.googleapis.com/labels': labels,
    'logging.googleapis.com/operation': _operation,
    'logging.googleapis.com/trace': _trace,
    ...jsonPayload
  } = line;
  return {
    severity,
    labels,
    jsonPayload,
    resource: { type: 'cloud_run_revision', labels: { service_name: service } },
  };
}

/** The Logging query language as these filters use it: clauses `path="text"`, `path>number`, `path:*` joined by AND. */
function matches(filter: string, entry: Line): boolean {
  return filter.split(' AND ').every((clause) => {
    const m = /^([\w.]+)(=|>|:)(.+)$/.exec(clause.trim());
    if (!m) throw new Error(`A clause this test cannot evaluate: ${clause}`);
    const [, field = '', op, operand = ''] = m;
    const value = field
      .split('.')
      .reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], entry);
    if (op === '=') return value === JSON.parse(operand);
    if (op === '>') return typeof value === 'number' && value > Number(operand);
    return operand === '*' && value !== undefined;
  });
}

/** Terraform's format() for %s and %d. */
function format(template: string, ...args: (string | number)[]): string {
  let i = 0;
  return template.replace(/%[sd]/g, () => String(args[i++]));
}

describe('infra/gcp alerts', () => {
  const locals = () => stacks.gcp.locals;
  const filterFor = (fn: string) => format(String(locals().line_filter_format), `tricloud-${fn}`, fn);
  const entry = (line: Line, fn: string) => logEntry(line, `tricloud-${fn}`);

  it('select a function’s lines by its service and the label the line sets', () => {
    expect(matches(filterFor('ingest'), entry(lines.gcp.ingestClean, 'ingest'))).toBe(true);
    expect(matches(filterFor('sync'), entry(lines.gcp.sync, 'sync'))).toBe(true);
    expect(matches(filterFor('sync'), entry(lines.gcp.ingestClean, 'sync'))).toBe(false);
    expect(matches(filterFor('ingest'), entry(lines.gcp.ingestClean, 'sync'))).toBe(false);
  });

  it('match the lines that should alert and no other', () => {
    const counts = locals().count_alerts as Record<string, { function: string; condition: string }>;
    const alerting: Record<string, [Line, Line]> = {
      dead_letters_written: [lines.gcp.ingestDeadLetters, lines.gcp.ingestClean],
      ingest_refused: [
        { ...lines.gcp.ingestClean, metrics: { failedPermanently: 1 } },
        lines.gcp.ingestDeadLetters,
      ],
      sync_source_failed: [lines.gcp.syncSourceDown, lines.gcp.sync],
    };
    expect(Object.keys(counts).sort()).toEqual(Object.keys(alerting).sort());
    for (const [name, { function: fn, condition }] of Object.entries(counts)) {
      const filter = `${filterFor(fn)} AND ${condition}`;
      const [yes, no] = alerting[name]!;
      expect(matches(filter, entry(yes, fn)), name).toBe(true);
      expect(matches(filter, entry(no, fn)), name).toBe(false);
    }
  });

  it('alert on each source’s lag above the threshold variable', () => {
    const threshold = (stacks.gcp.variable.sync_lag_threshold_seconds?.default as number) * 1000;
    expect(String(locals().lag_alerts)).toContain(
      'format(local.lag_condition_format, source, var.sync_lag_threshold_seconds * 1000)',
    );
    expect(locals().sync_sources).toEqual(others('gcp'));
    for (const source of others('gcp')) {
      const filter = `${filterFor('sync')} AND ${format(String(locals().lag_condition_format), source, threshold)}`;
      const metrics = lines.gcp.sync.metrics as Record<string, number>;
      expect(metrics[`${source}LagMs`]).toBeLessThan(threshold);
      expect(matches(filter, entry(lines.gcp.sync, 'sync'))).toBe(false);
      const late = { ...lines.gcp.sync, metrics: { ...metrics, [`${source}LagMs`]: threshold + 1 } };
      expect(matches(filter, entry(late, 'sync'))).toBe(true);
    }
  });

  it('chart only fields the lines carry', () => {
    const metricsOf = (line: Line) => Object.keys(line.metrics as Block);
    const carried = new Set([...metricsOf(lines.gcp.ingestDeadLetters), ...metricsOf(lines.gcp.sync)]);
    const charted = String(locals().line_metrics);
    const fields = [...charted.matchAll(/"(\w+)"/g)]
      .map((m) => m[1]!)
      .filter((f) => !['ingest', 'sync'].includes(f));
    expect(fields.length).toBeGreaterThan(4);
    for (const field of fields) expect(carried, field).toContain(field);
    expect(charted).toContain(`"${ref('source')}LagMs" => "sync"`);
  });

  it('watch the dead-letter subscription, each function’s 5xx and 429 answers, and a sync that has not run', () => {
    const policies = stacks.gcp.resource.google_monitoring_alert_policy ?? {};
    const threshold = (name: string) => nested(nested(policies[name]!, 'conditions'), 'condition_threshold');
    expect(threshold('dead_letter_backlog').filter).toContain(
      `subscription_id="${ref('google_pubsub_subscription.dead_letters.name')}"`,
    );
    const functionAlerts = String(locals().function_alerts);
    expect(functionAlerts).toContain('response_code_class=\\"5xx\\"');
    expect(functionAlerts).toContain('response_code=\\"429\\"');
    expect(Object.keys(locals().function_services as Block).sort()).toEqual(['ingest', 'read', 'sync']);
    const absent = nested(nested(policies.sync_absent!, 'conditions'), 'condition_absent');
    expect(absent.duration).toBe(`${ref('var.sync_absent_minutes * 60')}s`);
    expect(String(absent.filter)).toContain('local.function_services.sync');
  });

  it('notify local.notification_channels, which is empty unless a variable names someone', () => {
    for (const [name, policy] of Object.entries(stacks.gcp.resource.google_monitoring_alert_policy ?? {})) {
      expect(policy.notification_channels, name).toBe(ref('local.notification_channels'));
    }
    expect(String(locals().notification_channels)).toMatch(
      /^\$\{concat\(var\.notification_channels, \[for channel in google_monitoring_notification_channel\.email : channel\.id\]\)\}$/,
    );
    for (const name of ['notification_channels', 'alert_emails'])
      expect(stacks.gcp.variable[name]?.default).toEqual([]);
  });
});

describe('infra/azure alerts', () => {
  const locals = () => stacks.azure.locals;

  it('parse the lines as the host keeps them: the JSON in message, names in customDimensions, numbers in customMeasurements', () => {
    const query = String(locals().lines_query);
    expect(query).toContain('parse_json(message)');
    expect(query).toContain("tostring(line.customDimensions.cloud) == 'azure'");
    expect(query).toContain('tostring(line.customDimensions.function)');
    expect(query).toContain('metrics = line.customMeasurements');
    for (const [line, fn] of [
      [lines.azure.ingestDeadLetters, 'ingest'],
      [lines.azure.sync, 'sync'],
    ] as const) {
      expect(line.customDimensions).toMatchObject({ cloud: 'azure', function: fn });
      expect(typeof line.message).toBe('string');
    }
  });

  it('query only measurements the lines carry', () => {
    const measured = new Set([
      ...Object.keys(lines.azure.ingestDeadLetters.customMeasurements as Block),
      ...Object.keys(lines.azure.sync.customMeasurements as Block),
    ]);
    const text = sources.azure;
    const named = [...text.matchAll(/metrics\.(\w+)/g)].map((m) => m[1]!);
    expect(named.length).toBeGreaterThan(5);
    for (const name of named) expect(measured, name).toContain(name);
    expect(locals().sync_sources).toEqual(others('azure'));
    expect(text).toContain(
      `metrics.${ref('source')}LagMs) > ${ref('var.sync_lag_threshold_seconds * 1000')}`,
    );
    for (const source of others('azure')) expect(measured).toContain(`${source}LagMs`);
  });

  it('alert on dead letters, failed sources, failed executions, throttling, and a sync that has not run', () => {
    const rules = stacks.azure.resource.azurerm_monitor_scheduled_query_rules_alert_v2 ?? {};
    const alerts = String(locals().line_alerts);
    for (const check of [
      "fn == 'ingest' and toint(metrics.deadLetters) > 0",
      "fn == 'sync' and toint(metrics.failedSources) > 0",
      'success == false',
    ])
      expect(alerts).toContain(check);
    const absent = nested(rules.sync_absent!, 'criteria');
    expect(absent).toMatchObject({ time_aggregation_method: 'Count', operator: 'LessThan', threshold: 1 });
    expect(rules.sync_absent?.window_duration).toBe(ref('local.sync_absent_window'));
    const metricAlerts = stacks.azure.resource.azurerm_monitor_metric_alert ?? {};
    expect(nested(metricAlerts.event_hubs_throttled!, 'criteria').metric_name).toBe('ThrottledRequests');
    const cosmos = nested(metricAlerts.cosmos_throttled!, 'criteria');
    expect(nested(cosmos, 'dimension')).toMatchObject({ name: 'StatusCode', values: ['429'] });
  });

  it('notify local.action_group_ids, which is empty unless a variable names someone', () => {
    const actionsOf = (alert: Block) => (alert.dynamic as Record<string, Block[]>).action?.[0]?.for_each;
    for (const [name, rule] of Object.entries(
      stacks.azure.resource.azurerm_monitor_scheduled_query_rules_alert_v2 ?? {},
    )) {
      expect(actionsOf(rule), name).toBe(
        ref('length(local.action_group_ids) > 0 ? [local.action_group_ids] : []'),
      );
    }
    for (const [name, alert] of Object.entries(stacks.azure.resource.azurerm_monitor_metric_alert ?? {})) {
      expect(actionsOf(alert), name).toBe(ref('local.action_group_ids'));
    }
    expect(locals().action_group_ids).toBe(
      ref('concat(var.action_group_ids, azurerm_monitor_action_group.alerts[*].id)'),
    );
    for (const name of ['action_group_ids', 'alert_emails'])
      expect(stacks.azure.variable[name]?.default).toEqual([]);
  });

  it('give the workbook the same lines', () => {
    const workbook = block(stacks.azure, 'resource', 'azurerm_application_insights_workbook', 'main');
    expect(String(workbook.data_json)).toContain('local.workbook_charts');
    expect(JSON.stringify(locals().workbook_charts)).toContain('local.lines_query');
  });
});

describe('README', () => {
  it('names every notification variable and says that an empty one notifies nobody', async () => {
    const readme = await readFile(path.join(infraDir, '..', 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('### Alarms and dashboards'));
    expect(section.length).toBeGreaterThan(100);
    for (const name of [
      'alarm_actions',
      'alarm_emails',
      'notification_channels',
      'alert_emails',
      'action_group_ids',
      'sync_lag_threshold_seconds',
      'sync_absent_minutes',
    ])
      expect(section, name).toContain(`\`${name}\``);
    expect(section).toMatch(/notif(y|ies)\s+nobody/);
  });
});
