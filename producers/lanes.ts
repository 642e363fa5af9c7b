/**
 * A run's sending lanes, one per cloud, and what routing reads from them: each cloud's health. Under `failover` a
 * lane whose cloud is down hands the messages it never attempted to the next healthy cloud, durably through the
 * spool. The lanes also say what is still unaccepted (what a compaction of the spool keeps) and hold the source
 * back while a healthy lane's memory is full.
 */
import type { Clock, Origin } from '../shared/core/index.ts';
import { CloudLane, type CloudStats, type LaneOptions } from './cloud-lane.ts';
import type { Publisher } from './publishers.ts';
import { type Route, routeSeries } from './routing.ts';
import type { Spool, SpoolEntry } from './spool.ts';

/** Bodies a healthy lane may hold before the source waits for it. */
const READ_AHEAD_BYTES = 16 * 1024 * 1024;
/** How often a held-back source looks again whether the lane has room. */
const ROOM_POLL_MS = 50;

export interface LanesOptions {
  spool: Spool;
  /** The clouds sent to, in failover order: each gets its lane at once. */
  to: readonly Origin[];
  route: Route;
  clock: Clock;
  publisherFor(cloud: Origin): Publisher;
  lane?: LaneOptions;
}

export class Lanes {
  readonly #lanes = new Map<Origin, CloudLane>();
  /** Messages between two lanes while failover moves them: still pending, so a compaction keeps them. */
  readonly #moving = new Set<SpoolEntry>();
  readonly #o: LanesOptions;

  constructor(options: LanesOptions) {
    this.#o = options;
    for (const cloud of options.to) this.#laneFor(cloud);
  }

  /** Whether routing may send new records to `cloud`: a cloud without a lane yet has not failed. */
  readonly healthy = (cloud: Origin): boolean => this.#lanes.get(cloud)?.stats.healthy ?? true;

  /** The clouds a new record of `series` goes to now. */
  route(series: string): readonly Origin[] {
    return routeSeries(series, this.#o.route, this.#o.to, this.healthy);
  }

  /** Queues spooled messages, each on the lane of the cloud it is assigned to (a lane is opened if needed). */
  enqueue(entries: readonly SpoolEntry[]): void {
    for (const cloud of new Set(entries.map((e) => e.cloud))) {
      this.#laneFor(cloud).enqueue(entries.filter((e) => e.cloud === cloud));
    }
  }

  /** Every message not yet accepted: in a lane or being moved between two. */
  unaccepted(): SpoolEntry[] {
    return [...this.#moving, ...[...this.#lanes.values()].flatMap((l) => l.pendingEntries())];
  }

  /** Messages queued or in flight on any lane. */
  get pending(): number {
    let pending = 0;
    for (const lane of this.#lanes.values()) pending += lane.pending;
    return pending;
  }

  /** A copy of each lane's counters. */
  perCloud(): Partial<Record<Origin, CloudStats>> {
    const perCloud: Partial<Record<Origin, CloudStats>> = {};
    for (const [cloud, lane] of this.#lanes) perCloud[cloud] = { ...lane.stats };
    return perCloud;
  }

  /** Resolves once every healthy lane's bodies fit in memory again (or `signal` aborts). */
  async room(signal: AbortSignal): Promise<void> {
    for (const lane of this.#lanes.values()) {
      while (lane.stats.healthy && lane.memoryBytes > READ_AHEAD_BYTES && !signal.aborted) {
        const looked = new AbortController();
        await Promise.race([lane.idle(), this.#o.clock.sleep(ROOM_POLL_MS, looked.signal)]);
        looked.abort();
      }
    }
  }

  /** Resolves when every lane has sent everything queued. */
  async idle(): Promise<void> {
    await Promise.all([...this.#lanes.values()].map((l) => l.idle()));
  }

  /** Stops every lane, each given `graceMs` for its publish in flight and again to close its publisher. */
  async stop(graceMs: number): Promise<void> {
    await Promise.all([...this.#lanes.values()].map((l) => l.stop(graceMs)));
  }

  #laneFor(cloud: Origin): CloudLane {
    let lane = this.#lanes.get(cloud);
    if (!lane) {
      lane = new CloudLane(cloud, {
        spool: this.#o.spool,
        publisher: () => this.#o.publisherFor(cloud),
        clock: this.#o.clock,
        ...(this.#o.lane === undefined ? {} : { options: this.#o.lane }),
        ...(this.#o.route === 'failover' ? { onDown: (l: CloudLane) => this.#reroute(l) } : {}),
      });
      this.#lanes.set(cloud, lane);
    }
    return lane;
  }

  /**
   * Failover of what is provably undelivered: while a cloud is down (a definite failure, a publish left unanswered,
   * or ambiguous failures in a row), its messages never handed to its publisher go to the next healthy cloud (each
   * series' next in order); attempted ones stay, since they may have arrived.
   */
  async #reroute(lane: CloudLane): Promise<void> {
    const byCloud = new Map<Origin, SpoolEntry[]>();
    const keep: SpoolEntry[] = [];
    for (const e of lane.takeUnattempted()) {
      const [cloud] = routeSeries(e.key, 'failover', this.#o.to, this.healthy);
      if (cloud === undefined || cloud === lane.cloud) keep.push(e);
      else byCloud.set(cloud, [...(byCloud.get(cloud) ?? []), e]);
    }
    lane.enqueue(keep);
    for (const entries of byCloud.values()) for (const e of entries) this.#moving.add(e);
    for (const [cloud, entries] of byCloud) {
      try {
        await this.#o.spool.move(entries, cloud);
      } catch {
        lane.enqueue(entries);
        continue;
      } finally {
        for (const e of entries) this.#moving.delete(e);
      }
      lane.stats.rerouted += entries.reduce((n, e) => n + e.records, 0);
      this.#laneFor(cloud).enqueue(entries);
    }
  }
}
