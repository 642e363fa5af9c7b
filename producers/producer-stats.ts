/**
 * What a producer run reports: its counts of records read and dropped, over what earlier runs of the same state read,
 * and the {@link ProducerStats} built from them, the lanes' counters and the clock — for progress lines while it
 * runs and the summary at its end.
 */
import type { Clock, Origin } from '../shared/core/index.ts';
import type { CloudStats } from './cloud-lane.ts';
import type { Lanes } from './lanes.ts';
import type { Route } from './routing.ts';
import type { Source } from './sources/source.ts';

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

/** What a run is, for its stats: fixed when it starts. */
export interface RunIdentity {
  source: Source;
  route: Route;
  stateDir: string;
  rejectsFile: string;
  resumedFrom?: string;
  /** Records to read in total over every run of the state, when limited. */
  maxRecords?: number;
}

export class RunCounts {
  /** Valid records read by this run, duplicates included. */
  read = 0;
  duplicates = 0;
  /** Records earlier runs of the same state read. */
  readonly before: number;
  readonly #startedAt: number;
  readonly #clock: Clock;

  constructor(before: number, clock: Clock, startedAt = clock.now()) {
    this.before = before;
    this.#clock = clock;
    this.#startedAt = startedAt;
  }

  /** Records read over every run of the state: the checkpoint's count, which `maxRecords` limits. */
  get total(): number {
    return this.before + this.read;
  }

  stats(run: RunIdentity, rejected: number, lanes: Lanes): ProducerStats {
    const seconds = (this.#clock.now() - this.#startedAt) / 1000;
    const rate = seconds > 0 ? this.read / seconds : 0;
    const total = run.source.total ?? run.maxRecords;
    const left = total === undefined ? undefined : Math.max(0, total - this.total);
    return {
      source: run.source.name,
      route: run.route,
      read: this.read,
      rejected,
      duplicates: this.duplicates,
      ...(run.resumedFrom === undefined ? {} : { resumedFrom: run.resumedFrom }),
      perCloud: lanes.perCloud(),
      seconds,
      rate,
      ...(total === undefined ? {} : { total }),
      ...(left !== undefined && rate > 0 ? { etaSeconds: left / rate } : {}),
      delivered: lanes.pending === 0,
      stateDir: run.stateDir,
      rejectsFile: run.rejectsFile,
    };
  }
}
