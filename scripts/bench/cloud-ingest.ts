/**
 * Ingest through each cloud's real store on the local stack: our handler's use case (messages of 500 records,
 * 10 messages per invocation) against the naive design (one record per message, one invocation each), same
 * records. Store writes per record and records/s, per cloud.
 */

import { syntheticTrades } from '../../producers/sources/synthetic.ts';
import { createStores } from '../../shared/clouds/all-stores.ts';
import { systemClock } from '../../shared/clouds/system-clock.ts';
import { readCloudSettings } from '../../shared/config/environment.ts';
import {
  createIngest,
  encodeMessage,
  type InboundMessage,
  ORIGINS,
  parseWindows,
} from '../../shared/core/index.ts';
import { countingStore } from './counting-store.ts';
import type { Report } from './report.ts';

export async function benchCloudIngest(
  env: NodeJS.ProcessEnv,
  report: Report,
  records = 4_000,
): Promise<void> {
  const settings = readCloudSettings(env);
  const windows = parseWindows('1m');
  for (const origin of ORIGINS) {
    const stores = await createStores(origin, settings);
    try {
      const run = async (tag: string, batches: InboundMessage[][]) => {
        const { store, counts } = countingStore(stores.store);
        const ingest = createIngest(
          { store, deadLetters: { put: async () => {} }, clock: systemClock },
          { origin, windows },
        );
        const t = performance.now();
        for (const batch of batches) {
          const { failedMessageIds } = await ingest(batch);
          if (failedMessageIds.length) throw new Error(`bench ingest into ${origin} (${tag}) failed`);
        }
        return { ms: performance.now() - t, writes: counts.writes };
      };
      // Each run gets series of its own, so both write fresh documents.
      const stream = (tag: string) =>
        syntheticTrades({ records, series: 10, intervalMs: 100, seed: 7 }).map((r) => ({
          ...r,
          series: `${tag}-${origin}-${Date.now()}-${r.series}`,
        }));
      const packed: InboundMessage[] = [];
      const ours = stream('bench-ours');
      for (let i = 0; i < ours.length; i += 500)
        packed.push({ id: `p${i}`, body: encodeMessage(`p${i}`, ours.slice(i, i + 500)) });
      const batches: InboundMessage[][] = [];
      for (let i = 0; i < packed.length; i += 10) batches.push(packed.slice(i, i + 10));
      const naive = stream('bench-naive').map((r, i) => [{ id: `n${i}`, body: encodeMessage(`n${i}`, [r]) }]);
      console.error(`bench: ${origin} ingest, ours then naive, ${records} records each…`);
      const a = await run('ours', batches);
      const b = await run('naive', naive);
      report(
        `clouds.${origin}.writesPerRecord`,
        `${origin}: store writes per record (ours)`,
        a.writes / records,
        'writes',
      );
      report(
        `clouds.${origin}.baselineWritesPerRecord`,
        `${origin}: store writes per record (naive)`,
        b.writes / records,
        'writes',
      );
      report(
        `clouds.${origin}.fewerWritesRatio`,
        `${origin}: fewer writes than naive`,
        b.writes / a.writes,
        '×',
      );
      report(
        `clouds.${origin}.recordsPerSec`,
        `${origin}: records/s (ours)`,
        records / (a.ms / 1000),
        'records/s',
      );
      report(
        `clouds.${origin}.baselineRecordsPerSec`,
        `${origin}: records/s (naive)`,
        records / (b.ms / 1000),
        'records/s',
      );
      report(`clouds.${origin}.speedupRatio`, `${origin}: faster than naive`, b.ms / a.ms, '×');
    } finally {
      await stores.close();
    }
  }
}
