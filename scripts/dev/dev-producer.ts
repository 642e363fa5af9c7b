/**
 * The producer `tricloud dev` runs: the producer engine (`producers/producer.ts` — spool, lanes per cloud with
 * retries and health, failover routing, packing) on a source, with two things only `dev` needs: every record read
 * is kept for the reference, and a sample of the messages each cloud accepted is kept so `--chaos` can publish
 * them a second time, as an at-least-once transport would deliver them.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type ProducerStats, runProducer } from '../../producers/producer.ts';
import { createPublisher, type OutboundMessage, type Publisher } from '../../producers/publishers.ts';
import type { Route } from '../../producers/routing.ts';
import type { Source, SourceItem } from '../../producers/sources/source.ts';
import type { CloudSettings } from '../../shared/config/environment.ts';
import { type DataRecord, ORIGINS, type Origin } from '../../shared/core/index.ts';

export interface Sent {
  /** Messages the cloud's transport accepted (duplicates published by chaos included). */
  messages: number;
  /** Records the cloud's transport accepted. */
  records: number;
  /** Publish attempts that failed and were retried. */
  retries: number;
}

export interface DevProducer {
  readonly sent: Record<Origin, Sent>;
  /** Valid records read from the source so far. */
  readonly read: number;
  /** Every valid record read, in order (the reference is computed from these). */
  readonly records: readonly DataRecord[];
  /** Distinct `(series, seq)` read. */
  readonly distinct: number;
  /** Resolves with the engine's final stats once everything read has been accepted (or left spooled). */
  readonly done: Promise<ProducerStats>;
  /** Publishes again up to `count` messages already accepted, picked at random across clouds. */
  republish(count: number, random: () => number): Promise<number>;
}

const SAMPLE_PER_CLOUD = 500;

export function startDevProducer(
  source: Source,
  options: {
    route: Route;
    settings: CloudSettings;
    /** Records per second, at most. */
    rate?: number;
    /** Where bad source lines go, with their reasons. */
    rejectsFile: string;
  },
): DevProducer {
  const sent = Object.fromEntries(ORIGINS.map((o) => [o, { messages: 0, records: 0, retries: 0 }])) as Record<
    Origin,
    Sent
  >;
  const records: DataRecord[] = [];
  const seen = new Map<string, Set<number>>();
  let distinct = 0;
  // A reservoir sample of accepted messages per cloud (algorithm R: each is kept with equal probability).
  const sample = Object.fromEntries(ORIGINS.map((o) => [o, [] as OutboundMessage[]])) as Record<
    Origin,
    OutboundMessage[]
  >;
  const accepted = Object.fromEntries(ORIGINS.map((o) => [o, 0])) as Record<Origin, number>;
  const keep = (cloud: Origin, messages: readonly OutboundMessage[]) => {
    sent[cloud].messages += messages.length;
    for (const m of messages) {
      const k = accepted[cloud]++;
      if (k < SAMPLE_PER_CLOUD) sample[cloud].push(m);
      else {
        const j = Math.floor(Math.random() * (k + 1));
        if (j < SAMPLE_PER_CLOUD) sample[cloud][j] = m;
      }
    }
  };
  const watched = (cloud: Origin): Publisher => {
    const inner = createPublisher(cloud, options.settings);
    return {
      cloud,
      async publish(messages, signal) {
        await inner.publish(messages, signal);
        keep(cloud, messages);
      },
      close: () => inner.close(),
    };
  };
  const recorded: Source = {
    name: source.name,
    ...(source.total === undefined ? {} : { total: source.total }),
    async *items(args): AsyncGenerator<SourceItem> {
      for await (const item of source.items(args)) {
        if (item.kind === 'record') {
          const r = item.record;
          records.push(r);
          let seqs = seen.get(r.series);
          if (!seqs) {
            seqs = new Set();
            seen.set(r.series, seqs);
          }
          if (!seqs.has(r.seq)) {
            seqs.add(r.seq);
            distinct++;
          }
        }
        yield item;
      }
    },
  };
  const update = (stats: ProducerStats) => {
    for (const o of ORIGINS) {
      const c = stats.perCloud[o];
      if (!c) continue;
      sent[o].records = c.records;
      sent[o].retries = c.failures;
    }
  };

  const done = (async () => {
    // A fresh spool per run: dev's stack is new each time, so there is nothing to resume.
    const stateDir = await mkdtemp(path.join(os.tmpdir(), 'tricloud-dev-producer-'));
    try {
      const stats = await runProducer(recorded, {
        settings: options.settings,
        route: options.route,
        stateDir,
        rejectsFile: options.rejectsFile,
        ...(options.rate === undefined ? {} : { rate: options.rate }),
        publisherFor: watched,
        onProgress: update,
        // Under --chaos a cloud is down for a while; keep retrying it rather than leave records spooled.
        drainTimeoutMs: 5 * 60_000,
      });
      update(stats);
      if (!stats.delivered)
        throw new Error(
          `the producer left records spooled in ${stateDir}: ${ORIGINS.map(
            (o) => stats.perCloud[o]?.lastError,
          )
            .filter(Boolean)
            .join('; ')}`,
        );
      return stats;
    } finally {
      await rm(stateDir, { recursive: true, force: true });
    }
  })();

  return {
    sent,
    get read() {
      return records.length;
    },
    records,
    get distinct() {
      return distinct;
    },
    done,
    async republish(count, random) {
      const pool = ORIGINS.flatMap((o) => sample[o].map((m) => [o, m] as const));
      const picked = new Map<Origin, OutboundMessage[]>();
      for (let i = 0; i < count && pool.length > 0; i++) {
        const [o, m] = pool.splice(Math.floor(random() * pool.length), 1)[0]!;
        picked.set(o, [...(picked.get(o) ?? []), m]);
      }
      let total = 0;
      await Promise.all(
        [...picked].map(async ([o, messages]) => {
          const publisher = watched(o);
          try {
            await publisher.publish(messages);
            total += messages.length;
          } finally {
            await publisher.close().catch(() => {});
          }
        }),
      );
      return total;
    },
  };
}
