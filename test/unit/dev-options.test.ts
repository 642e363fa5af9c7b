import { describe, expect, it } from 'vitest';
import { watchFunctions } from '../../scripts/dev/function-telemetry.ts';
import { failureLines, renderRows, startLiveView } from '../../scripts/dev/live-view.ts';
import { parseDevOptions } from '../../scripts/dev/options.ts';
import { logInvocation } from '../../shared/observability/invocation-log.ts';

describe('tricloud dev options', () => {
  it('default to 100,000 synthetic trades, route partition, a sync every 2 s', () => {
    expect(parseDevOptions([], false)).toMatchObject({
      source: 'synthetic',
      records: 100_000,
      series: 8,
      route: 'partition',
      syncEveryMs: 2_000,
      chaos: false,
      keepRunning: false,
      live: 'lines',
    });
  });

  it('take the file source when a file is given, and a terminal redraws in place', () => {
    expect(parseDevOptions(['--file', 'trades.ndjson'], true)).toMatchObject({
      source: 'file',
      file: 'trades.ndjson',
      live: 'redraw',
    });
  });

  it('pick the chaos cloud by seed unless told', () => {
    expect(parseDevOptions(['--chaos', '--seed', '2'])?.chaosCloud).toBe('azure');
    expect(parseDevOptions(['--chaos', '--chaos-cloud', 'gcp'])?.chaosCloud).toBe('gcp');
  });

  it('write the environment to .tricloud/dev.env when kept running without --env', () => {
    expect(parseDevOptions(['--keep-running'])?.envFile).toBe('.tricloud/dev.env');
  });

  it('return nothing for --help', () => {
    expect(parseDevOptions(['--help'])).toBeUndefined();
  });

  it.each([
    [['--route', 'sideways'], "--route takes partition, failover or mirror, not 'sideways'."],
    [['--source', 'file'], '--source file needs --file PATH: a file of JSON records, one per line.'],
    [['--source', 'kafka'], "--source takes synthetic or file, not 'kafka'."],
    [['--records', '0'], "--records takes a whole number of at least 1, not '0'."],
    [
      ['--sync-every', 'often'],
      "--sync-every: 'often' is not a duration: write a positive whole number and a unit, like 250ms, 30s, 1m, 5m, 1h or 1d.",
    ],
    [['--chaos-cloud', 'oracle'], "--chaos-cloud takes aws, gcp or azure, not 'oracle'."],
  ])('refuse %j with a sentence naming the fix', (argv, message) => {
    expect(() => parseDevOptions(argv)).toThrow(message);
  });
});

describe('the live view', () => {
  const row = {
    queued: 3,
    ingested: 12_500,
    deadLettered: 1,
    failures: {},
    documents: 42,
    syncLagMs: { gcp: 1_500 },
  };

  it('shows one row per cloud with queued, ingested, dead-lettered, failed, documents and lag behind each other cloud', () => {
    const rows = renderRows({ phase: 'producing', rows: { aws: row, gcp: row, azure: row } });
    expect(rows[0]).toBe('── producing');
    expect(rows[1]).toMatch(/cloud\s+queued\s+ingested\s+dead-lettered\s+failed\s+documents\s+sync lag/);
    expect(rows[2]).toMatch(/^aws\s+3\s+12,500\s+1\s+0\s+42\s+gcp 1\.5s, azure -$/);
    expect(rows).toHaveLength(5);
  });

  it('says, under the rows, why a cloud’s messages failed: per reason, and the latest error', () => {
    const failing = {
      ...row,
      failures: { transient: 1, 'too-large': 4 },
      lastError: `PermanentStoreError: writing document S|1m|0 at revision 3: Cosmos DB refused the item as too large (413)${'.'.repeat(300)}`,
    };
    const rows = renderRows({ phase: 'producing', rows: { aws: row, gcp: row, azure: failing } });
    expect(rows[4]).toMatch(/^azure\s+3\s+12,500\s+1\s+5\s+42 /);
    expect(rows).toHaveLength(6);
    expect(rows[5]).toMatch(
      /^ {2}azure failed messages: too-large 4, transient 1; last: PermanentStoreError: writing document S\|1m\|0 .*too large \(413\)\.*…$/,
    );
    expect(rows[5]!.length).toBeLessThan(200);
    expect(failureLines({ aws: row, gcp: row, azure: failing })).toEqual([
      `  azure failed messages: too-large 4, transient 1; last: ${failing.lastError.slice(0, 399)}…`,
    ]);
  });
});

describe('the live view in a pipe', () => {
  it('stamps each line said and, when stopped, prints the rows once more, then lines go under them', () => {
    const row = { ingested: 7, deadLettered: 0, failures: {}, documents: 1, syncLagMs: {} };
    let text = '';
    const view = startLiveView({
      mode: 'lines',
      elapsed: () => '   1.0 s',
      status: () => ({ phase: 'done', rows: { aws: row, gcp: row, azure: row } }),
      write: (t) => {
        text += t;
      },
    });
    view.say('produced');
    view.stop();
    view.say('after');
    const lines = text.split('\n');
    expect(lines[0]).toBe('[   1.0 s] produced');
    expect(lines[1]).toBe('[   1.0 s] ── done');
    expect(lines[3]).toMatch(/^\[ {3}1\.0 s\] aws\s+-\s+7\s/);
    expect(lines.at(-2)).toBe('[   1.0 s] after');
    expect(text).not.toContain(String.fromCharCode(27));
  });
});

describe("the functions' telemetry", () => {
  it('sums failed messages per reason and keeps the latest error, per cloud', () => {
    const telemetry = watchFunctions();
    try {
      const line = (failureReasons: Record<string, number>, firstError: string) =>
        logInvocation({
          cloud: 'azure',
          function: 'ingest',
          level: 'warn',
          message: 'ingest',
          time: 0,
          metrics: { records: 10, added: 10, failedMessages: 0, failedPermanently: 1 },
          fields: { failureReasons, firstError },
        });
      line({ 'too-large': 1 }, 'first');
      line({ 'too-large': 1, transient: 2 }, 'second');
      expect(telemetry.totals.azure).toMatchObject({
        records: 20,
        added: 20,
        failedPermanently: 2,
        failureReasons: { 'too-large': 2, transient: 2 },
        lastError: 'second',
      });
      expect(telemetry.totals.aws.failureReasons).toEqual({});
    } finally {
      telemetry.close();
    }
  });
});
