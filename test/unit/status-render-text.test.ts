/** The status model as text: who answers and why not, the overview, sync per pair, reasons, what is unknown. */
import { describe, expect, it } from 'vitest';
import { duration, renderStatus, table, time } from '../../scripts/status/render-text.ts';
import { statusExitCode } from '../../scripts/status/status-model.ts';
import { AT, statusModel } from '../helpers/status-models.ts';

describe('renderStatus', () => {
  const text = renderStatus(statusModel());
  const lines = text.split('\n');

  it('names the cut cloud and why, service by service, and the others as reachable', () => {
    expect(lines).toContain('aws    ✘ unreachable: SQS: connect ECONNREFUSED 127.0.0.1:4566');
    expect(lines).toContain('                      DynamoDB: connect ECONNREFUSED 127.0.0.1:4567');
    expect(lines).toContain('gcp    ✔ reachable (local servers, 40 ms)');
  });

  it('has one overview row per cloud: - where it did not answer, ? where the service cannot say', () => {
    const header = lines.findIndex((l) => l.startsWith('cloud  transport'));
    const row = (cloud: string) => lines.slice(header + 1, header + 4).find((l) => l.startsWith(`${cloud} `));
    expect(row('aws')?.split(/\s{2,}/)).toEqual(['aws', '-', '-', '-', '-', '-', '-', '-', '-', '-']);
    expect(row('gcp')?.split(/\s{2,}/)).toEqual([
      'gcp',
      'Pub/Sub',
      '?',
      '?',
      '3',
      '12',
      '424',
      '430',
      '1',
      '1',
    ]);
    expect(text).toContain('azure partitions, last sequence number: 0: 41, 1: empty');
  });

  it('shows sync per pair, with a lower bound and the source that did not answer', () => {
    expect(text).toMatch(
      /gcp ← azure\s+2026-11-28T01:23:44Z\s+2026-11-28T01:23:43Z\s+≥ 1,000\s+2 min 5 s\s+2/,
    );
    expect(text).toMatch(/gcp ← aws\s+-\s+2026-11-28T01:22:15Z\s+-\s+-\s+-\s+aws's DynamoDB did not answer/);
  });

  it('lists dead letters by reason, failures of the last hour, and what could not be told', () => {
    expect(text).toMatch(
      /gcp\s+12\s+seq must be an integer from 0 to 2\^53 − 1 {3}\(newest 2026-11-28T01:23:40Z\)/,
    );
    expect(lines).toContain('  aws    dead letters unknown (its store did not answer)');
    expect(lines).toContain('  azure  12 dead letters');
    expect(lines).toContain('  all    last sync run: not recorded');
  });

  it('exits 2 when a cloud did not answer, 0 when all did', () => {
    const model = statusModel();
    expect(statusExitCode(model)).toBe(2);
    model.clouds.aws = { ...model.clouds.gcp, cloud: 'aws' };
    expect(statusExitCode(model)).toBe(0);
  });
});

describe('formatting', () => {
  it('writes times in UTC to the second and durations as people read them', () => {
    expect(time(AT + 999)).toBe('2026-11-28T01:23:45Z');
    expect([400, 12_000, 200_000, 7_500_000].map(duration)).toEqual([
      '0.4 s',
      '12.0 s',
      '3 min 20 s',
      '2 h 5 min',
    ]);
  });

  it('pads columns: the first ones and the last left, numbers right', () => {
    expect(
      table(
        [
          ['a', 'x', '1', 'note'],
          ['bb', 'yy', '22', ''],
        ],
        2,
      ),
    ).toEqual(['a   x    1  note', 'bb  yy  22']);
  });
});
