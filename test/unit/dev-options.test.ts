import { describe, expect, it } from 'vitest';
import { renderRows } from '../../scripts/dev/live-view.ts';
import { parseDevOptions } from '../../scripts/dev/options.ts';

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

  it('write the environment to .tricloud/dev.env when kept running without --env-file', () => {
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
  it('shows one row per cloud with queued, ingested, dead-lettered, documents and lag behind each other cloud', () => {
    const row = { queued: 3, ingested: 12_500, deadLettered: 1, documents: 42, syncLagMs: { gcp: 1_500 } };
    const rows = renderRows({ phase: 'producing', rows: { aws: row, gcp: row, azure: row } });
    expect(rows[0]).toBe('── producing');
    expect(rows[1]).toMatch(/cloud\s+queued\s+ingested\s+dead-lettered\s+documents\s+sync lag/);
    expect(rows[2]).toMatch(/^aws\s+3\s+12,500\s+1\s+42\s+gcp 1\.5s, azure -$/);
    expect(rows).toHaveLength(5);
  });
});
