/**
 * The parts of `tricloud dev`'s phases that decide its verdict, on three in-memory clouds: convergence read from
 * the sync functions' returned reports (so it holds when `TRICLOUD_LOG_LEVEL=warn` leaves their log lines
 * unwritten), the verification that follows it, the sync runs that keep those reports, and the shutdown.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { syncUntilQuiet } from '../../scripts/dev/phases/converge.ts';
import { firstDifference, referenceWindows } from '../../scripts/dev/reference-windows.ts';
import { Shutdown } from '../../scripts/dev/shutdown.ts';
import { syncRuns } from '../../scripts/dev/sync-runs.ts';
import { lagsOf } from '../../scripts/dev/timeline.ts';
import { verifyRun } from '../../scripts/dev/verification.ts';
import { ORIGINS, type Origin, type SourceReport, type SyncReport } from '../../shared/core/index.ts';
import { logInvocation } from '../../shared/observability/invocation-log.ts';
import { LOG_SINK, type LogSink } from '../../shared/observability/log.ts';
import { deliver, exportStore, makeClouds, syncPass, WINDOWS } from '../helpers/clouds.ts';
import { messagesOf, record, T0 } from '../helpers/records.ts';

function source(overrides: Partial<SourceReport> = {}): SourceReport {
  return {
    source: 'gcp',
    read: 0,
    merged: 0,
    written: 0,
    windowsWritten: 0,
    recordConflicts: 0,
    conflicts: 0,
    pages: 1,
    complete: true,
    skipped: [],
    ...overrides,
  };
}

const reportOf = (...sources: SourceReport[]): SyncReport => ({ sources, durationMs: 1 });

describe('converging under TRICLOUD_LOG_LEVEL=warn', () => {
  let level: string | undefined;
  beforeEach(() => {
    level = process.env.TRICLOUD_LOG_LEVEL;
    process.env.TRICLOUD_LOG_LEVEL = 'warn';
  });
  afterEach(() => {
    if (level === undefined) delete process.env.TRICLOUD_LOG_LEVEL;
    else process.env.TRICLOUD_LOG_LEVEL = level;
  });

  it('syncs until a round writes nothing, from the returned reports, and the stores then verify exact', async () => {
    // Prepare: each cloud ingests its own share of the records, as under route partition.
    const clouds = makeClouds(WINDOWS);
    const records = Array.from({ length: 300 }, (_, i) =>
      record({
        series: i % 2 ? 'A' : 'B',
        seq: i,
        ts: T0 + i * 1_700,
        value: 100 + (i % 7),
        qty: 1 + (i % 3),
      }),
    );
    for (const [i, o] of ORIGINS.entries()) {
      await deliver(
        clouds[o],
        messagesOf(
          records.filter((_, k) => k % 3 === i),
          20,
          `${o}-`,
        ),
      );
    }
    // Where `dev` reads the functions' lines from: under warn, an info line never reaches it.
    const lines: string[] = [];
    const global = globalThis as { [LOG_SINK]?: LogSink };
    global[LOG_SINK] = (_, line) => lines.push(line);
    const runs: Origin[] = [];
    // Each sync logs its report at info, as functions/sync-runtime.ts does, and returns it.
    const sync = async (o: Origin) => {
      runs.push(o);
      const report = await syncPass(clouds, o);
      logInvocation({ cloud: o, function: 'sync', level: 'info', message: 'sync', time: 0, metrics: {} });
      return report;
    };

    // Act
    let rounds: number;
    try {
      rounds = await syncUntilQuiet(sync);
    } finally {
      delete global[LOG_SINK];
    }

    // Assess: the first round wrote, so convergence took more than one round, with no log line seen.
    expect(lines).toEqual([]);
    expect(rounds).toBeGreaterThanOrEqual(2);
    expect(runs).toHaveLength(rounds * 3);
    const exports = Object.fromEntries(ORIGINS.map((o) => [o, exportStore(clouds[o].store)])) as Record<
      Origin,
      ReturnType<typeof exportStore>
    >;
    const verdict = verifyRun(exports, referenceWindows(records, WINDOWS), firstDifference);
    expect(verdict).toMatchObject({ identical: true, exact: true, differences: {} });
    expect(verdict.referenceWindows).toBeGreaterThan(0);
  });
});

describe('syncUntilQuiet', () => {
  it('gives a failing or unfinished source another round, and ends once a round is quiet', async () => {
    const replies = [
      reportOf(source({ written: 4 })),
      reportOf(source({ error: 'ECONNREFUSED' })),
      reportOf(source({ complete: false })),
    ];
    const sync = async () => replies.shift() ?? reportOf(source());
    // Three replies in round one (a write, a failure, an unfinished source); round two is quiet.
    expect(await syncUntilQuiet(sync, 0)).toBe(2);
  });

  it('names the last failure when the stores keep changing', async () => {
    const sync = async (o: Origin) =>
      reportOf(source({ written: 1, ...(o === 'azure' ? { error: 'down' } : {}) }));
    await expect(syncUntilQuiet(sync, 0)).rejects.toThrow(
      'the stores did not converge in 20 sync rounds (sync into azure from gcp failed: down)',
    );
  });
});

describe('sync runs', () => {
  it('keep each returned report: the last per cloud for its lag, runs and conflicts for the summary', async () => {
    const reports: Record<Origin, SyncReport> = {
      aws: reportOf(source({ source: 'gcp', merged: 2, lagMs: 1_200, conflicts: 1 })),
      gcp: reportOf(source({ source: 'aws', merged: 0, lagMs: 9_000 })),
      azure: reportOf(source({ source: 'aws', error: 'down' })),
    };
    const ticks: number[] = [];
    const runs = syncRuns(
      {
        aws: async (tick) => {
          ticks.push(tick);
          return reports.aws;
        },
        gcp: async () => reports.gcp,
        azure: async () => reports.azure,
      },
      60_000,
    );
    await runs.run('aws');
    await runs.run('aws');
    await runs.run('gcp');
    expect(ticks).toEqual([0, 1]);
    expect(runs.runs).toEqual({ aws: 2, gcp: 1, azure: 0 });
    expect(runs.conflicts).toEqual({ aws: 2, gcp: 0, azure: 0 });
    expect(lagsOf(runs.last.aws)).toEqual({ gcp: 1_200 });
    // Nothing new merged and read to the end: caught up, whatever the newest document's age.
    expect(lagsOf(runs.last.gcp)).toEqual({ aws: 0 });
    expect(lagsOf(runs.last.azure)).toEqual({});
    await runs.run('azure');
    expect(lagsOf(runs.last.azure)).toEqual({});
  });
});

describe('the shutdown', () => {
  it('stops the parts last started first, past one that fails or hangs', async () => {
    const stopped: string[] = [];
    const shutdown = new Shutdown(20);
    shutdown.defer(() => stopped.push('stack'));
    shutdown.defer(() => new Promise(() => stopped.push('stuck client')));
    shutdown.defer(async () => {
      stopped.push('failing host');
      throw new Error('already closed');
    });
    shutdown.defer(() => stopped.push('view'));
    await shutdown.stopAll();
    expect(stopped).toEqual(['view', 'failing host', 'stuck client', 'stack']);
    await shutdown.stopAll();
    expect(stopped).toHaveLength(4);
  });
});
