/**
 * The producer engine `tricloud produce` and `tricloud dev` share: reads a source, drops bad lines into the rejects
 * file and repeated `(series, seq)` as duplicates, routes each record, packs per cloud and series, commits each
 * chunk of messages with the source checkpoint to the spool, and lets one lane per cloud send them.
 *
 * Durability: nothing is sent before it is in the spool with the checkpoint after it, so a producer killed at any
 * moment and started again replays what the spool holds to the clouds it was assigned to and resumes the source
 * right after it — nothing lost, nothing sent to a second cloud. SIGINT (the `signal`) ends the source, commits the
 * open chunk and gives the lanes a short grace to send; what they do not send stays spooled for the next run.
 */
import path from 'node:path';
import type { CloudSettings } from '../shared/config/environment.ts';
import { decodeMessage, ORIGINS, type Origin, type RecordRow } from '../shared/core/index.ts';
import { CloudLane, type CloudStats, type LaneOptions } from './cloud-lane.ts';
import { SeenRecords } from './dedupe.ts';
import { CloudPacking } from './packing.ts';
import { createPublisher, type Publisher } from './publishers.ts';
import { RejectsFile } from './rejects.ts';
import { type Route, routeSeries } from './routing.ts';
import type { Source, SourceItem } from './sources/source.ts';
import { type Checkpoint, Spool, type SpoolEntry } from './spool.ts';

export type { CloudStats } from './cloud-lane.ts';

export interface ProducerOptions {
  /** Where each cloud's transport is (only the clouds sent to are read). Not needed with `publisherFor`. */
  settings?: Partial<CloudSettings>;
  route: Route;
  /** The clouds to send to, in failover order (default all three). */
  to?: readonly Origin[];
  /** Spool, checkpoint and rejects of this run; the same directory resumes it. */
  stateDir: string;
  /** Default `<stateDir>/rejects.ndjson`. */
  rejectsFile?: string;
  /** Records per second read from the source, at most. */
  rate?: number;
  /** Records to read in total, counting earlier runs of the same state. */
  maxRecords?: number;
  /** Stop reading after this long. */
  durationMs?: number;
  signal?: AbortSignal;
  onProgress?(progress: ProducerStats): void;
  progressEveryMs?: number;
  publisherFor?(cloud: Origin): Publisher;
  /** Records per message (default 500). */
  recordsPerMessage?: number;
  /** A chunk commits to the spool after this many records or this long, whichever first. */
  chunkRecords?: number;
  chunkMs?: number;
  /** The journal is compacted past this size, when at least half of it is accepted messages (default 64 MB). */
  compactBytes?: number;
  /** Once the source ends, how long to keep retrying clouds that are down before leaving the rest spooled. */
  drainTimeoutMs?: number;
  /** The same after the signal aborted (Ctrl-C): short, everything is spooled already. */
  abortGraceMs?: number;
  lane?: LaneOptions;
}

export interface ProducerStats {
  source: string;
  route: Route;
  /** Valid records read (this run, after any resume), duplicates included. */
  read: number;
  rejected: number;
  duplicates: number;
  /** The source position this run resumed from, if it resumed. */
  resumedFrom?: string;
  perCloud: Partial<Record<Origin, CloudStats>>;
  seconds: number;
  /** Records read per second. */
  rate: number;
  total?: number;
  etaSeconds?: number;
  /** Everything read has been accepted by its cloud (nothing left in the spool). */
  delivered: boolean;
  stateDir: string;
  rejectsFile: string;
}

const COMPACT_BYTES = 64 * 1024 * 1024;

export async function runProducer(source: Source, options: ProducerOptions): Promise<ProducerStats> {
  const started = performance.now();
  const to = options.to ?? ORIGINS;
  const chunkRecords = options.chunkRecords ?? 5_000;
  const chunkMs = options.chunkMs ?? 200;
  const rejectsFile = options.rejectsFile ?? path.join(options.stateDir, 'rejects.ndjson');

  const { spool, checkpoint: resumed, pending, seen } = await openState(options.stateDir);
  const rejects = await RejectsFile.open(rejectsFile, resumed?.rejectsBytes ?? 0);
  let checkpoint: Checkpoint = resumed ?? { rejectsBytes: 0 };
  const readBefore = checkpoint.read ?? 0;

  const lanes = new Map<Origin, CloudLane>();
  /** Messages between two lanes while failover moves them: still pending, so a compaction keeps them. */
  const moving = new Set<SpoolEntry>();
  const unaccepted = () => [...moving, ...[...lanes.values()].flatMap((l) => l.pendingEntries())];
  const pendingBytes = () => unaccepted().reduce((n, e) => n + e.length, 0);
  const compactBytes = options.compactBytes ?? COMPACT_BYTES;
  /**
   * Failover of what is provably undelivered: while a cloud is down (a definite failure, a publish left unanswered,
   * or ambiguous failures in a row), its messages never handed to its publisher go to the next healthy cloud (each
   * series' next in order); attempted ones stay, since they may have arrived.
   */
  const reroute = async (lane: CloudLane) => {
    const byCloud = new Map<Origin, SpoolEntry[]>();
    const keep: SpoolEntry[] = [];
    for (const e of lane.takeUnattempted()) {
      const [cloud] = routeSeries(e.key, 'failover', to, healthy);
      if (cloud === undefined || cloud === lane.cloud) keep.push(e);
      else byCloud.set(cloud, [...(byCloud.get(cloud) ?? []), e]);
    }
    lane.enqueue(keep);
    for (const entries of byCloud.values()) for (const e of entries) moving.add(e);
    for (const [cloud, entries] of byCloud) {
      try {
        await spool.move(entries, cloud);
      } catch {
        lane.enqueue(entries);
        continue;
      } finally {
        for (const e of entries) moving.delete(e);
      }
      lane.stats.rerouted += entries.reduce((n, e) => n + e.records, 0);
      laneFor(cloud).enqueue(entries);
    }
  };
  const laneFor = (cloud: Origin) => {
    let lane = lanes.get(cloud);
    if (!lane) {
      const publisher = () =>
        options.publisherFor?.(cloud) ?? createPublisher(cloud, options.settings as CloudSettings);
      lane = new CloudLane(
        cloud,
        spool,
        publisher,
        options.lane,
        options.route === 'failover' ? reroute : undefined,
      );
      lanes.set(cloud, lane);
    }
    return lane;
  };
  for (const cloud of to) laneFor(cloud);
  // An earlier run's unsent messages go first, each to the cloud it was assigned to.
  for (const cloud of ORIGINS) {
    const mine = pending.filter((e) => e.cloud === cloud);
    if (mine.length > 0) laneFor(cloud).enqueue(mine);
  }

  let read = 0;
  let duplicates = 0;
  let batch = 0;
  const runTag = Date.now().toString(36);
  const packing = new CloudPacking(options.recordsPerMessage ?? 500, () => `p-${runTag}-${batch++}`);
  const healthy = (cloud: Origin) => lanes.get(cloud)?.stats.healthy ?? true;

  const stats = (): ProducerStats => {
    const seconds = (performance.now() - started) / 1000;
    const rate = seconds > 0 ? read / seconds : 0;
    const perCloud: Partial<Record<Origin, CloudStats>> = {};
    let spooled = 0;
    for (const [cloud, lane] of lanes) {
      perCloud[cloud] = { ...lane.stats };
      spooled += lane.pending;
    }
    const total = source.total ?? options.maxRecords;
    const left = total === undefined ? undefined : Math.max(0, total - readBefore - read);
    return {
      source: source.name,
      route: options.route,
      read,
      rejected: rejects.count,
      duplicates,
      ...(resumed?.position === undefined ? {} : { resumedFrom: resumed.position }),
      perCloud,
      seconds,
      rate,
      ...(total === undefined ? {} : { total }),
      ...(left !== undefined && rate > 0 ? { etaSeconds: left / rate } : {}),
      delivered: spooled === 0,
      stateDir: options.stateDir,
      rejectsFile,
    };
  };
  const progress = options.onProgress
    ? setInterval(() => options.onProgress?.(stats()), options.progressEveryMs ?? 250)
    : undefined;

  // The source stops on the caller's signal or the duration.
  const inner = new AbortController();
  const stopReading = () => inner.abort();
  options.signal?.addEventListener('abort', stopReading, { once: true });
  if (options.signal?.aborted) inner.abort();
  const durationTimer =
    options.durationMs === undefined ? undefined : setTimeout(stopReading, options.durationMs);
  // A fresh promise per wait: racing one long-lived promise on every record would pile up its reactions forever.
  let wakeOnStop: (() => void) | undefined;
  inner.signal.addEventListener('abort', () => wakeOnStop?.(), { once: true });
  const stopped = () =>
    inner.signal.aborted
      ? Promise.resolve('stopped' as const)
      : new Promise<'stopped'>((resolve) => {
          wakeOnStop = () => resolve('stopped');
        });
  /** Fires when the open chunk is due to commit; one timer per chunk, not per record. */
  let chunkDue: Promise<'tick'> | undefined;

  let chunkCount = 0;
  let chunkStarted = 0;
  let position = checkpoint.position;

  const commit = async (sourceDone = false) => {
    if (chunkCount === 0 && !sourceDone) return;
    const messages = packing.drain();
    const rejectsBytes = await rejects.flush();
    // Also while a cloud is down: what it has not taken is copied into the new journal, what the others took is not,
    // so a long outage costs the disk of its own backlog only.
    if (spool.size > compactBytes && pendingBytes() < spool.size / 2)
      await spool.compact(checkpoint, seen.summary(), unaccepted);
    checkpoint = {
      ...(position === undefined ? {} : { position }),
      rejectsBytes,
      read: readBefore + read,
      ...(sourceDone ? { sourceDone: true } : {}),
    };
    const entries = await spool.commit(messages, checkpoint);
    seen.settle();
    for (const cloud of new Set(entries.map((e) => e.cloud))) {
      laneFor(cloud).enqueue(entries.filter((e) => e.cloud === cloud));
    }
    chunkCount = 0;
    chunkDue = undefined;
  };

  /** Slows the source while a healthy cloud's lane holds its fill of bodies in memory. */
  const room = async () => {
    for (const lane of lanes.values()) {
      while (lane.stats.healthy && lane.memoryBytes > 16 * 1024 * 1024 && !inner.signal.aborted) {
        await Promise.race([lane.idle(), pause(50)]);
      }
    }
  };

  const finished = checkpoint.sourceDone === true;
  const limit = options.maxRecords === undefined ? Number.POSITIVE_INFINITY : options.maxRecords - readBefore;
  let sourceDone = finished || limit <= 0;
  try {
    if (!sourceDone) {
      const iterator = source
        .items({ signal: inner.signal, ...(position === undefined ? {} : { resumeFrom: position }) })
        [Symbol.asyncIterator]();
      let next: Promise<IteratorResult<SourceItem>> | undefined;
      const readStarted = performance.now();
      try {
        for (;;) {
          if (inner.signal.aborted) break;
          if (options.rate !== undefined) {
            const due = readStarted + (read / options.rate) * 1000;
            const wait = due - performance.now();
            if (wait > 0) {
              const untilCommit = chunkCount > 0 ? chunkStarted + chunkMs - performance.now() : wait;
              await Promise.race([pause(Math.max(0, Math.min(wait, untilCommit))), stopped()]);
              if (chunkCount > 0 && performance.now() >= chunkStarted + chunkMs) await commit();
              continue;
            }
          }
          next ??= iterator.next();
          const waits: Promise<IteratorResult<SourceItem> | 'stopped' | 'tick'>[] = [next, stopped()];
          if (chunkCount > 0) {
            chunkDue ??= pause(chunkStarted + chunkMs - performance.now());
            waits.push(chunkDue);
          }
          const result = await Promise.race(waits);
          if (result === 'stopped') break;
          if (result === 'tick') {
            await commit();
            continue;
          }
          next = undefined;
          if (result.done) {
            sourceDone = true;
            break;
          }
          const item = result.value;
          if (chunkCount === 0) chunkStarted = performance.now();
          chunkCount++;
          if (item.kind === 'reject') {
            rejects.add(item.line, item.reason, item.text);
            if (item.position !== undefined) position = item.position;
          } else {
            read++;
            const r = item.record;
            if (seen.take(r.series, r.seq)) {
              for (const cloud of routeSeries(r.series, options.route, to, healthy)) packing.add(cloud, r);
            } else {
              duplicates++;
            }
            if (item.position !== undefined) position = item.position;
            if (read >= limit) {
              sourceDone = true;
              break;
            }
          }
          if (chunkCount >= chunkRecords || performance.now() - chunkStarted >= chunkMs) {
            await commit();
            await room();
          }
        }
      } finally {
        inner.abort();
        // Do not wait for a source blocked on its network: it has been told to stop.
        void iterator.return?.()?.catch(() => {});
      }
    }
    await commit(sourceDone);

    const lanesIdle = Promise.all([...lanes.values()].map((l) => l.idle()));
    const graceMs = options.signal?.aborted
      ? (options.abortGraceMs ?? 3_000)
      : (options.drainTimeoutMs ?? 30_000);
    let graceTimer: NodeJS.Timeout | undefined;
    await Promise.race([
      lanesIdle,
      new Promise((resolve) => {
        graceTimer = setTimeout(resolve, graceMs);
      }),
      options.signal?.aborted ? never() : abortOf(options.signal),
    ]);
    clearTimeout(graceTimer);
  } finally {
    clearTimeout(durationTimer);
    options.signal?.removeEventListener('abort', stopReading);
    await Promise.all([...lanes.values()].map((l) => l.stop(2_000)));
    if (pendingBytes() < spool.size / 2)
      await spool.compact(checkpoint, seen.summary(), unaccepted).catch(() => {});
    await spool.close();
    if (progress) clearInterval(progress);
  }
  return stats();
}

/** The spool and the seen records of a state directory; a damaged one is named, with the way out. */
async function openState(dir: string) {
  try {
    const { spool, checkpoint, pending, committed, summary } = await Spool.open(dir);
    return { spool, checkpoint, pending, seen: await seenInSpool(spool, committed, summary) };
  } catch (error) {
    throw new Error(
      `the producer state in ${dir} cannot be read (${(error as Error).message}); --fresh starts over, dropping the records spooled there`,
    );
  }
}

/**
 * The records this state has already taken: compaction's summary, plus every record of the messages committed since
 * (sent or not), so a record the source repeats after a restart is still sent once — under `failover` it could
 * otherwise go to another cloud than the first time.
 */
async function seenInSpool(
  spool: Spool,
  committed: readonly SpoolEntry[],
  summary: string | undefined,
): Promise<SeenRecords> {
  const seen = SeenRecords.fromSummary(summary);
  for (const entry of committed) {
    const message = decodeMessage(await spool.body(entry));
    if (message.ok) for (const [series, seq] of message.rows as RecordRow[]) seen.take(series, seq);
  }
  seen.settle();
  return seen;
}

function pause(ms: number): Promise<'tick'> {
  return new Promise((resolve) => setTimeout(() => resolve('tick'), Math.max(0, ms)));
}

function never(): Promise<never> {
  return new Promise(() => {});
}

/** Resolves when the signal aborts (Ctrl-C during the drain ends it early). */
function abortOf(signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return never();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}
