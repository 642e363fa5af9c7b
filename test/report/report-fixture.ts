/** A small deterministic run to render: synthetic trades, their reference windows, a made-up timeline. */
import { syntheticTrades } from '../../producers/sources/synthetic.ts';
import { referenceWindows } from '../../scripts/dev/reference-windows.ts';
import type { ReportData, TimelineSample } from '../../scripts/report/write-report.ts';
import { ORIGINS, parseWindow } from '../../shared/core/index.ts';

/**
 * `series` series of 1m candles over about an hour, the same windows in every cloud (as after convergence), and
 * 20 s of one-second samples in which each cloud ingests at its own steady rate and sync lag shrinks.
 */
export function reportFixture(opts: { series?: number; records?: number } = {}): ReportData {
  const records = syntheticTrades({
    records: opts.records ?? 4_000,
    series: opts.series ?? 2,
    intervalMs: 2_000,
  });
  const windows = referenceWindows(records, [parseWindow('1m')]);
  const timeline: TimelineSample[] = [];
  for (let second = 1; second <= 20; second++) {
    for (const [i, cloud] of ORIGINS.entries()) {
      const lag = (source: number) =>
        source === i ? undefined : Math.max(0, 12_000 - second * 600 + source * 500);
      timeline.push({
        t: second * 1000,
        cloud,
        ingestedRecords: Math.min(records.length, second * (60 + 30 * i)),
        syncLagMs: Object.fromEntries(
          ORIGINS.flatMap((source, j) => (lag(j) === undefined ? [] : [[source, lag(j)]])),
        ),
      });
    }
  }
  return {
    title: 'tricloud dev — 4,000 records',
    generatedAt: '2026-01-01T00:00:00.000Z',
    windows: { aws: windows, gcp: windows, azure: windows },
    timeline,
    summary: { records: records.length, seconds: 20, 'stores identical': 'yes' },
  };
}
