/**
 * Convergence time: N fresh windows ingested into one cloud, then each cloud's sync run in turn (as the schedules
 * would, back to back) until all three stores hold them; wall time and passes, for growing N, on the local stack.
 */
import { createStores } from '../../shared/clouds/all-stores.ts';
import { systemClock } from '../../shared/clouds/system-clock.ts';
import { readCloudSettings } from '../../shared/config/environment.ts';
import {
  type AggregateStore,
  createIngest,
  encodeMessage,
  ORIGINS,
  type Origin,
  parseWindows,
  syncInto,
} from '../../shared/core/index.ts';
import type { Report } from './report.ts';

export async function benchConvergence(
  env: NodeJS.ProcessEnv,
  report: Report,
  sizes = [200, 1_000],
): Promise<void> {
  const settings = readCloudSettings(env);
  const created = await Promise.all(ORIGINS.map((o) => createStores(o, settings)));
  const stores = Object.fromEntries(ORIGINS.map((o, i) => [o, created[i]!.store])) as Record<
    Origin,
    AggregateStore
  >;
  try {
    for (const windows of sizes) {
      const series = `converge-${windows}-${Date.now().toString(36)}`;
      // One record per one-minute window: N windows, N documents.
      const records = Array.from({ length: windows }, (_, i) => ({
        series,
        seq: i,
        ts: 1_700_000_000_000 + i * 60_000,
        value: i,
        qty: 1,
      }));
      const ingest = createIngest(
        { store: stores.aws, deadLetters: { put: async () => {} }, clock: systemClock },
        { origin: 'aws', windows: parseWindows('1m') },
      );
      for (let i = 0; i < records.length; i += 500) {
        await ingest([{ id: `c${i}`, body: encodeMessage(`c${i}`, records.slice(i, i + 500)) }]);
      }
      const started = performance.now();
      let passes = 0;
      for (let round = 0; round < 10; round++) {
        let written = 0;
        for (const into of ORIGINS) {
          const result = await syncInto({
            target: stores[into],
            sources: ORIGINS.filter((o) => o !== into).map((origin) => ({ origin, store: stores[origin] })),
            clock: systemClock,
          });
          passes++;
          written += result.sources.reduce((n, s) => n + s.written, 0);
        }
        if (written === 0) break;
      }
      const seconds = (performance.now() - started) / 1000;
      report(
        `convergence.windows${windows}.seconds`,
        `${windows} new windows on one cloud: time to converge`,
        seconds,
        's',
      );
      report(
        `convergence.windows${windows}.passes`,
        `${windows} new windows: sync passes (last one idle)`,
        passes,
        'passes',
      );
      report(
        `convergence.windows${windows}.windowsPerSec`,
        `${windows} new windows: windows replicated per second`,
        (2 * windows) / seconds,
        'windows/s',
      );
    }
  } finally {
    for (const s of created) await s.close();
  }
}
