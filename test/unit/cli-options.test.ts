/** The one reading of option values every `tricloud` command uses, and the commands that use it. */
import { describe, expect, it, vi } from 'vitest';
import { syntheticRecords } from '../../producers/sources/synthetic.ts';
import {
  duration,
  listOf,
  MAX_SEED,
  nonNegativeInt,
  OptionError,
  oneOf,
  positiveInt,
  positiveNumber,
  seed,
} from '../../scripts/cli/options.ts';
import { run as deploy } from '../../scripts/commands/deploy.ts';
import { run as exportWindows } from '../../scripts/commands/export.ts';
import { run as query } from '../../scripts/commands/query.ts';
import { readOptions as statusOptions } from '../../scripts/commands/status.ts';
import { run as sync } from '../../scripts/commands/sync.ts';
import { ORIGINS } from '../../shared/core/index.ts';

describe('whole numbers', () => {
  it.each([
    ['1', 1],
    ['100000', 100_000],
    [' 7 ', 7],
    ['1e3', 1_000],
  ])('positiveInt reads %j as %d', (text, n) => {
    expect(positiveInt('--records', text)).toBe(n);
  });

  it.each(['0', '-1', '2.5', '', ' ', 'ten', 'NaN', 'Infinity', '9007199254740992'])(
    'positiveInt refuses %j, naming the option and what it takes',
    (text) => {
      expect(() => positiveInt('--records', text)).toThrow(OptionError);
      expect(() => positiveInt('--records', text)).toThrow(
        `--records takes a whole number of at least 1, not '${text}'.`,
      );
    },
  );

  it('nonNegativeInt takes zero and refuses below it', () => {
    expect(nonNegativeInt('--skip', '0')).toBe(0);
    expect(() => nonNegativeInt('--skip', '-1')).toThrow(
      "--skip takes a whole number of at least 0, not '-1'.",
    );
  });
});

describe('seeds', () => {
  it('take 0 as a seed of its own, and every 32-bit value', () => {
    expect(seed('--seed', '0')).toBe(0);
    expect(seed('--seed', '1')).toBe(1);
    expect(seed('--seed', String(MAX_SEED))).toBe(4_294_967_295);
  });

  it('of 0 and 1 give different synthetic streams, so no seed is read as another', () => {
    const first = (n: number) => Array.from({ length: 5 }, syntheticRecords({ seed: n, series: 2 }));
    expect(first(0)).not.toEqual(first(1));
    expect(first(0)).toEqual(first(0));
  });

  it.each(['-1', '1.5', '4294967296', 'abc'])('refuse %j with the range they take', (text) => {
    expect(() => seed('--seed', text)).toThrow(
      `--seed takes a whole number from 0 to 4294967295, not '${text}'.`,
    );
  });
});

describe('other numbers and durations', () => {
  it('positiveNumber takes fractions above zero', () => {
    expect(positiveNumber('--rate', '0.5')).toBe(0.5);
    for (const text of ['0', '-2', '', 'fast', 'Infinity']) {
      expect(() => positiveNumber('--rate', text)).toThrow(`--rate takes a number above 0, not '${text}'.`);
    }
  });

  it('duration reads a number and a unit, in milliseconds', () => {
    expect(duration('--sync-every', '250ms')).toBe(250);
    expect(duration('--sync-every', '2s')).toBe(2_000);
    expect(duration('--drain-timeout', '5m')).toBe(300_000);
  });

  it.each(['often', '0s', '5', '-1m', ''])('duration refuses %j, naming the option and the form', (text) => {
    const read = () => duration('--sync-every', text);
    expect(read).toThrow(OptionError);
    expect(read).toThrow(
      `--sync-every: '${text}' is not a duration: write a positive whole number and a unit, like 250ms, 30s, 1m, 5m, 1h or 1d.`,
    );
  });
});

describe('durations within bounds', () => {
  it('take both ends and refuse outside them, saying the range', () => {
    expect(duration('--every', '1s', { min: '1s', max: '1h' })).toBe(1_000);
    expect(duration('--every', '1h', { min: '1s', max: '1h' })).toBe(3_600_000);
    expect(() => duration('--every', '500ms', { min: '1s', max: '1h' })).toThrow(
      "--every takes a duration from 1s to 1h, not '500ms'.",
    );
    expect(() => duration('--every', '2h', { min: '1s', max: '1h' })).toThrow(OptionError);
  });
});

describe('choices', () => {
  it('oneOf returns the choice, typed', () => {
    const cloud: 'aws' | 'gcp' | 'azure' = oneOf('--cloud', 'gcp', ORIGINS);
    expect(cloud).toBe('gcp');
  });

  it.each([
    [['a', 'b', 'c'], 'x', "--k takes a, b or c, not 'x'."],
    [['a', 'b'], 'x', "--k takes a or b, not 'x'."],
    [['a', 'b'], 'A', "--k takes a or b, not 'A'."],
  ])('oneOf(%j) refuses %j', (choices, text, message) => {
    expect(() => oneOf('--k', text, choices)).toThrow(message);
  });

  it('oneOf says a required option is missing, and what to give', () => {
    expect(() => oneOf('--cloud', undefined, ORIGINS)).toThrow(
      '--cloud is required: give aws, gcp or azure.',
    );
  });

  it('listOf reads distinct choices in the order given', () => {
    expect(listOf('--to', 'azure, aws', ORIGINS)).toEqual(['azure', 'aws']);
  });

  it.each([
    [
      'aws,oracle',
      "--to takes a comma-separated list of aws, gcp or azure, not 'aws,oracle' ('oracle' is none of them).",
    ],
    ['', "--to takes a comma-separated list of aws, gcp or azure, not '' ('' is none of them)."],
    [
      'aws,,gcp',
      "--to takes a comma-separated list of aws, gcp or azure, not 'aws,,gcp' ('' is none of them).",
    ],
    ['gcp,gcp', "--to names a choice twice in 'gcp,gcp': give each once."],
  ])('listOf refuses %j', (text, message) => {
    expect(() => listOf('--to', text, ORIGINS)).toThrow(message);
  });
});

describe('the commands refuse a bad option before doing anything', () => {
  it.each([
    [
      'export',
      () => exportWindows(['--cloud', 'oracle', '--out', '-']),
      "--cloud takes aws, gcp or azure, not 'oracle'.",
    ],
    ['export', () => exportWindows(['--out', '-']), '--cloud is required: give aws, gcp or azure.'],
    ['export', () => exportWindows(['--cloud', 'aws']), '--out FILE is required'],
    ['sync', () => sync(['--into', 'all']), "--into takes aws, gcp or azure, not 'all'."],
    ['deploy', () => deploy(['--cloud', 'heroku']), "--cloud takes aws, gcp or azure, not 'heroku'."],
  ])('%s', async (_, command, message) => {
    await expect(command()).rejects.toThrow(message);
  });

  it('status reads its options with the same words', () => {
    expect(statusOptions({ deadline: '3000', port: '0' })).toEqual({ deadlineMs: 3_000, port: 0 });
    expect(() => statusOptions({ deadline: '3000', port: '70000' })).toThrow(
      "--port takes a whole number from 0 to 65535, not '70000'.",
    );
    expect(() => statusOptions({ every: '10h', deadline: '3000', port: '0' })).toThrow(
      "--every takes a duration from 1s to 1h, not '10h'.",
    );
  });

  it.each([
    [['--deadline', '0'], "--deadline takes a whole number of at least 1, not '0'."],
    [['--format', 'xml'], "--format takes table, ndjson or csv, not 'xml'."],
    [['--cloud', 'any'], "--cloud takes aws, gcp, azure or auto, not 'any'."],
    [['--order', 'gcp,ibm'], "--order takes a comma-separated list of aws, gcp or azure, not 'gcp,ibm'"],
  ])('query %j exits 1, saying why', async (args, message) => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      expect(await query(['--series', 'BTCUSDT', ...args])).toBe(1);
      expect(errors.mock.calls.map((c) => String(c[0])).join('\n')).toContain(message);
    } finally {
      errors.mockRestore();
    }
  });
});
