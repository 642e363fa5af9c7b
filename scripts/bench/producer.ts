/**
 * The producer into each local server: records/s `tricloud produce`'s engine sustains (spool fsync included) with
 * packed messages, against the same engine sending one record per message; and messages per record. Each run has
 * a state directory of its own and series of its own; nothing consumes the queues during the bench.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runProducer } from '../../producers/producer.ts';
import { syntheticSource } from '../../producers/sources/synthetic.ts';
import { readCloudSettings } from '../../shared/config/environment.ts';
import { ORIGINS } from '../../shared/core/index.ts';
import type { Report } from './report.ts';

export async function benchProducer(
  env: NodeJS.ProcessEnv,
  report: Report,
  records = 200_000,
  naiveRecords = 3_000,
): Promise<void> {
  const settings = readCloudSettings(env);
  for (const cloud of ORIGINS) {
    const run = async (tag: string, n: number, recordsPerMessage: number) => {
      const dir = await mkdtemp(path.join(tmpdir(), `bench-produce-${cloud}-`));
      try {
        const source = syntheticSource({
          seed: 3,
          series: 10,
          records: n,
          prefix: `bench-${tag}-${Date.now()}-`,
        });
        const stats = await runProducer(source, {
          settings,
          route: 'partition',
          to: [cloud],
          stateDir: dir,
          recordsPerMessage,
        });
        const c = stats.perCloud[cloud]!;
        if (!stats.delivered || c.records !== n)
          throw new Error(`bench produce into ${cloud} (${tag}) left records undelivered: ${c.lastError}`);
        return { perSecond: n / stats.seconds, messagesPerRecord: c.messages / n };
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    };
    console.error(`bench: producer into ${cloud}, packed then one record per message…`);
    const ours = await run('ours', records, 500);
    const naive = await run('naive', naiveRecords, 1);
    report(
      `producer.${cloud}.recordsPerSec`,
      `${cloud}: records/s produced (packed, spooled)`,
      ours.perSecond,
      'rec/s',
    );
    report(
      `producer.${cloud}.baselineRecordsPerSec`,
      `${cloud}: records/s produced (one record per message)`,
      naive.perSecond,
      'rec/s',
    );
    report(
      `producer.${cloud}.speedup`,
      `${cloud}: faster than one record per message`,
      ours.perSecond / naive.perSecond,
      '×',
    );
    report(
      `producer.${cloud}.messagesPerRecord`,
      `${cloud}: messages per record (packed; one per message = 1)`,
      ours.messagesPerRecord,
      'msgs',
    );
  }
}
