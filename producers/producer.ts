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
import { systemClock } from '../shared/clouds/system-clock.ts';
import type { CloudSettings } from '../shared/config/environment.ts';
import { type Clock, decodeMessage, ORIGINS, type Origin, type RecordRow } from '../shared/core/index.ts';
import { ChunkWriter } from './chunk-writer.ts';
import type { LaneOptions } from './cloud-lane.ts';
import { SeenRecords } from './dedupe.ts';
import { Lanes } from './lanes.ts';
import { PacedReader } from './paced-reader.ts';
import { type ProducerStats, RunCounts, type RunIdentity } from './producer-stats.ts';
import { createPublisher, type Publisher } from './publishers.ts';
import { RejectsFile } from './rejects.ts';
import type { Route } from './routing.ts';
import type { Source, SourceItem } from './sources/source.ts';
import { type Checkpoint, Spool, type SpoolEntry } from './spool.ts';

export type { CloudStats } from './cloud-lane.ts';
export type { ProducerStats } from './producer-stats.ts';

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
  /** Every wait of the run (pace, chunk deadline, retries, timeouts, drain) is on it; default the system clock. */
  clock?: Clock;
}

const COMPACT_BYTES = 64 * 1024 * 1024;
/** At the very end, each lane's time for its publish in flight, and again to close its publisher. */
const LANE_STOP_GRACE_MS = 2_000;

export async function runProducer(source: Source, options: ProducerOptions): Promise<ProducerStats> {
  return (await Producer.open(source, options)).run();
}

/** A state directory opened for a run, with the time the run started. */
interface OpenedState {
  spool: Spool;
  checkpoint: Checkpoint | undefined;
  pending: SpoolEntry[];
  seen: SeenRecords;
  rejects: RejectsFile;
  rejectsFile: string;
  clock: Clock;
  startedAt: number;
}

/**
 * One run over a state directory. Its parts each own one thing: the {@link PacedReader} reads the source at its
 * pace, the {@link ChunkWriter} turns what is read into committed chunks of the spool, the {@link Lanes} send them
 * and know each cloud's health, and the {@link RunCounts} count for the stats. The producer moves items between
 * them and decides when the run stops reading and how long it drains.
 */
export class Producer {
  readonly #source: Source;
  readonly #o: ProducerOptions;
  readonly #clock: Clock;
  readonly #run: RunIdentity;
  readonly #rejects: RejectsFile;
  readonly #lanes: Lanes;
  readonly #chunks: ChunkWriter;
  readonly #counts: RunCounts;
  /** Aborted to stop reading: by the caller's signal, the duration, or the end of reading. */
  readonly #stopReading = new AbortController();
  /** Aborted once the run is over: ends its progress reports and its duration timer. */
  readonly #over = new AbortController();
  #ran = false;

  /** Opens the state directory (a damaged one is named, with the way out); its unsent messages are queued first. */
  static async open(source: Source, options: ProducerOptions): Promise<Producer> {
    const clock = options.clock ?? systemClock;
    const startedAt = clock.now();
    const rejectsFile = options.rejectsFile ?? path.join(options.stateDir, 'rejects.ndjson');
    const state = await openState(options.stateDir);
    const rejects = await RejectsFile.open(rejectsFile, state.checkpoint?.rejectsBytes ?? 0);
    return new Producer(source, options, { ...state, rejects, rejectsFile, clock, startedAt });
  }

  private constructor(source: Source, options: ProducerOptions, state: OpenedState) {
    const { spool, seen, clock, rejects, startedAt } = state;
    const checkpoint = state.checkpoint ?? { rejectsBytes: 0 };
    this.#source = source;
    this.#o = options;
    this.#clock = clock;
    this.#rejects = rejects;
    this.#run = {
      source,
      route: options.route,
      stateDir: options.stateDir,
      rejectsFile: state.rejectsFile,
      ...(checkpoint.position === undefined ? {} : { resumedFrom: checkpoint.position }),
      ...(options.maxRecords === undefined ? {} : { maxRecords: options.maxRecords }),
    };
    this.#lanes = new Lanes({
      spool,
      to: options.to ?? ORIGINS,
      route: options.route,
      clock,
      publisherFor:
        options.publisherFor ?? ((cloud) => createPublisher(cloud, options.settings as CloudSettings)),
      ...(options.lane === undefined ? {} : { lane: options.lane }),
    });
    // An earlier run's unsent messages go first, each to the cloud it was assigned to.
    this.#lanes.enqueue(state.pending);
    this.#chunks = new ChunkWriter(
      { spool, rejects, seen, checkpoint, clock, unaccepted: () => this.#lanes.unaccepted() },
      {
        chunkRecords: options.chunkRecords ?? 5_000,
        chunkMs: options.chunkMs ?? 200,
        recordsPerMessage: options.recordsPerMessage ?? 500,
        compactBytes: options.compactBytes ?? COMPACT_BYTES,
        runTag: startedAt.toString(36),
      },
    );
    this.#counts = new RunCounts(checkpoint.read ?? 0, clock, startedAt);
  }

  /**
   * Reads the source into the spool while the lanes send, then gives them the drain time; resolves to the run's
   * stats. What is not sent by then stays spooled for the next run.
   */
  async run(): Promise<ProducerStats> {
    if (this.#ran) throw new Error('A Producer runs once: open the state again for another run.');
    this.#ran = true;
    this.#watchForStop();
    void this.#reportProgress();
    try {
      const sourceDone = await this.#read();
      await this.#commit(sourceDone);
      await this.#drain();
    } finally {
      this.#o.signal?.removeEventListener('abort', this.#stop);
      await this.#lanes.stop(LANE_STOP_GRACE_MS);
      await this.#chunks.close();
      this.#over.abort();
    }
    return this.stats();
  }

  /** The run's stats so far (also while it runs). */
  stats(): ProducerStats {
    return this.#counts.stats(this.#run, this.#rejects.count, this.#lanes);
  }

  /** Reads until the source ends, the record limit is reached or reading stops; true when nothing is left to read. */
  async #read(): Promise<boolean> {
    const { position, sourceDone } = this.#chunks.checkpoint;
    const { maxRecords, rate } = this.#o;
    const limit = maxRecords === undefined ? Number.POSITIVE_INFINITY : maxRecords - this.#counts.before;
    if (sourceDone === true || limit <= 0) return true;
    const reader = new PacedReader(this.#source, {
      clock: this.#clock,
      signal: this.#stopReading.signal,
      ...(rate === undefined ? {} : { rate }),
      ...(position === undefined ? {} : { resumeFrom: position }),
    });
    try {
      for (;;) {
        const step = await reader.next(this.#chunks.dueAt);
        if (step === 'stopped') return false;
        if (step === 'done') return true;
        if (step === 'due') {
          await this.#commit();
          continue;
        }
        this.#take(step);
        if (this.#counts.read >= limit) return true;
        if (this.#chunks.full) {
          await this.#commit();
          await this.#lanes.room(this.#stopReading.signal);
        }
      }
    } finally {
      this.#stopReading.abort();
      reader.close();
    }
  }

  /** Drops a repeated `(series, seq)` as a duplicate; routes every other record to the clouds it goes to now. */
  #take(item: SourceItem): void {
    if (item.kind === 'reject') {
      this.#chunks.reject(item);
      return;
    }
    this.#counts.read++;
    if (!this.#chunks.record(item.record, item.position, this.#route)) this.#counts.duplicates++;
  }

  readonly #route = (series: string) => this.#lanes.route(series);

  async #commit(sourceDone = false): Promise<void> {
    this.#lanes.enqueue(await this.#chunks.commit(this.#counts.total, sourceDone));
  }

  /**
   * Gives the lanes time to send what is spooled: the drain timeout after the source ended, a short grace after the
   * caller's signal (everything is spooled already). The signal arriving during the drain ends it.
   */
  async #drain(): Promise<void> {
    const { signal } = this.#o;
    const aborted = signal?.aborted === true;
    const graceMs = aborted ? (this.#o.abortGraceMs ?? 3_000) : (this.#o.drainTimeoutMs ?? 30_000);
    const drained = new AbortController();
    const ends = signal === undefined || aborted ? drained.signal : AbortSignal.any([drained.signal, signal]);
    await Promise.race([this.#lanes.idle(), this.#clock.sleep(graceMs, ends)]);
    drained.abort();
  }

  readonly #stop = () => this.#stopReading.abort();

  /** Reading stops on the caller's signal, or after the duration. */
  #watchForStop(): void {
    const { signal, durationMs } = this.#o;
    signal?.addEventListener('abort', this.#stop, { once: true });
    if (signal?.aborted) this.#stop();
    if (durationMs === undefined) return;
    void this.#clock.sleep(durationMs, this.#over.signal).then(() => {
      if (!this.#over.signal.aborted) this.#stop();
    });
  }

  /** Calls `onProgress` every `progressEveryMs` (default 250) until the run is over. */
  async #reportProgress(): Promise<void> {
    const { onProgress, progressEveryMs = 250 } = this.#o;
    if (!onProgress) return;
    const { signal } = this.#over;
    for (;;) {
      await this.#clock.sleep(progressEveryMs, signal);
      if (signal.aborted) return;
      onProgress(this.stats());
    }
  }
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
