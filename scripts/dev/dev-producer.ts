/**
 * The producer `tricloud dev` runs: the producer engine (`producers/producer.ts` — spool, lanes per cloud with
 * retries and health, failover routing, packing) on a source, with two things only `dev` needs: every record read
 * is kept for the reference, and a sample of the messages each cloud accepted is kept so `--chaos` can publish
 * them a second time, as an at-least-once transport would deliver them.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DistinctRecords } from '../../producers/dedupe.ts';
import { type ProducerOptions, type ProducerStats, runProducer } from '../../producers/producer.ts';
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

export interface DevProducerOptions {
  route: Route;
  settings: CloudSettings;
  /** Records per second, at most. */
  rate?: number;
  /** Where bad source lines go, with their reasons. */
  rejectsFile: string;
}

export function startDevProducer(source: Source, options: DevProducerOptions): DevProducer {
  const sent = Object.fromEntries(ORIGINS.map((o) => [o, { messages: 0, records: 0, retries: 0 }])) as Record<
    Origin,
    Sent
  >;
  const records: DataRecord[] = [];
  const distinct = new DistinctRecords();
  const sample = new AcceptedSample(SAMPLE_PER_CLOUD);
  const watched = (cloud: Origin): Publisher => {
    const inner = createPublisher(cloud, options.settings);
    return {
      cloud,
      async publish(messages, signal) {
        await inner.publish(messages, signal);
        sent[cloud].messages += messages.length;
        sample.add(cloud, messages);
      },
      close: () => inner.close(),
    };
  };
  const recorded = recordingSource(source, (r) => {
    records.push(r);
    distinct.take(r.series, r.seq);
  });
  const update = (stats: ProducerStats) => {
    for (const o of ORIGINS) {
      const c = stats.perCloud[o];
      if (!c) continue;
      sent[o].records = c.records;
      sent[o].retries = c.failures;
    }
  };
  const done = produceToEnd(recorded, {
    settings: options.settings,
    route: options.route,
    rejectsFile: options.rejectsFile,
    ...(options.rate === undefined ? {} : { rate: options.rate }),
    publisherFor: watched,
    onProgress: update,
  }).then((stats) => {
    update(stats);
    return stats;
  });
  return {
    sent,
    get read() {
      return records.length;
    },
    records,
    get distinct() {
      return distinct.size;
    },
    done,
    republish: (count, random) => republish(sample.pick(count, random), watched),
  };
}

/** `source` as it is, calling `onRecord` with each valid record read. */
function recordingSource(source: Source, onRecord: (record: DataRecord) => void): Source {
  return {
    name: source.name,
    ...(source.total === undefined ? {} : { total: source.total }),
    async *items(args): AsyncGenerator<SourceItem> {
      for await (const item of source.items(args)) {
        if (item.kind === 'record') onRecord(item.record);
        yield item;
      }
    },
  };
}

/** Runs the engine on a fresh spool until everything read is accepted; fails naming why if some stays spooled. */
async function produceToEnd(
  source: Source,
  options: Omit<ProducerOptions, 'stateDir' | 'drainTimeoutMs'>,
): Promise<ProducerStats> {
  // A fresh spool per run: dev's stack is new each time, so there is nothing to resume.
  const stateDir = await mkdtemp(path.join(os.tmpdir(), 'tricloud-dev-producer-'));
  try {
    // Under --chaos a cloud is down for a while; keep retrying it rather than leave records spooled.
    const stats = await runProducer(source, { ...options, stateDir, drainTimeoutMs: 5 * 60_000 });
    if (!stats.delivered) {
      const errors = ORIGINS.map((o) => stats.perCloud[o]?.lastError).filter(Boolean);
      throw new Error(`the producer left records spooled in ${stateDir}: ${errors.join('; ')}`);
    }
    return stats;
  } finally {
    await rm(stateDir, { recursive: true, force: true });
  }
}

/** A reservoir sample of the messages each cloud accepted (algorithm R: each is kept with equal probability). */
class AcceptedSample {
  readonly #kept = Object.fromEntries(ORIGINS.map((o) => [o, [] as OutboundMessage[]])) as Record<
    Origin,
    OutboundMessage[]
  >;
  readonly #seen = Object.fromEntries(ORIGINS.map((o) => [o, 0])) as Record<Origin, number>;

  readonly perCloud: number;

  constructor(perCloud: number) {
    this.perCloud = perCloud;
  }

  add(cloud: Origin, messages: readonly OutboundMessage[]): void {
    for (const m of messages) {
      const k = this.#seen[cloud]++;
      if (k < this.perCloud) this.#kept[cloud].push(m);
      else {
        const j = Math.floor(Math.random() * (k + 1));
        if (j < this.perCloud) this.#kept[cloud][j] = m;
      }
    }
  }

  /** Up to `count` of the kept messages, drawn at random across clouds, grouped by cloud. */
  pick(count: number, random: () => number): Map<Origin, OutboundMessage[]> {
    const pool = ORIGINS.flatMap((o) => this.#kept[o].map((m) => [o, m] as const));
    const picked = new Map<Origin, OutboundMessage[]>();
    for (let i = 0; i < count && pool.length > 0; i++) {
      const [o, m] = pool.splice(Math.floor(random() * pool.length), 1)[0]!;
      picked.set(o, [...(picked.get(o) ?? []), m]);
    }
    return picked;
  }
}

/** Publishes the picked messages again, each cloud's through a publisher of its own; resolves with how many. */
async function republish(
  picked: Map<Origin, OutboundMessage[]>,
  publisherFor: (cloud: Origin) => Publisher,
): Promise<number> {
  let total = 0;
  await Promise.all(
    [...picked].map(async ([o, messages]) => {
      const publisher = publisherFor(o);
      try {
        await publisher.publish(messages);
        total += messages.length;
      } finally {
        await publisher.close().catch(() => {});
      }
    }),
  );
  return total;
}
