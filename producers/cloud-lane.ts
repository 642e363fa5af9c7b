/**
 * One cloud's sending lane: the spooled messages assigned to the cloud, sent in order, one publish at a time, with
 * the cloud's health. A message stays with its cloud until the transport accepts it: a failure only delays it
 * (the core's doubling backoff) and marks the cloud unhealthy, which `failover` routing reads to send *new* records
 * elsewhere. Bodies of a long backlog are dropped from memory and read back from the spool when their turn comes.
 * Every wait (backoff, publish timeout, stop grace) is on the lane's `Clock`, so tests step through them.
 */
import { type BackoffPolicy, backoffCeiling, type Clock, type Origin } from '../shared/core/index.ts';
import { classifyFailure, describeFailure } from './failures.ts';
import type { OutboundMessage, Publisher } from './publishers.ts';
import type { Spool, SpoolEntry } from './spool.ts';

export interface CloudStats {
  /** Records the transport accepted. */
  records: number;
  messages: number;
  /** Records spooled and not yet accepted. */
  spooled: number;
  /** Records of an earlier run's spool accepted in this run. */
  replayed: number;
  /** Failed publish attempts. */
  failures: number;
  /** Records of messages never attempted here, moved to another cloud by `failover` while this one was down. */
  rerouted: number;
  healthy: boolean;
  lastError?: string;
}

export interface LaneOptions {
  /** Messages per publish call. */
  batchMessages?: number;
  /** Bodies kept in memory per lane; beyond, the spool holds them. */
  memoryBytes?: number;
  publishTimeoutMs?: number;
  retryInitialMs?: number;
  retryMaxMs?: number;
  /** Consecutive ambiguous failures after which the cloud counts as unhealthy for routing new records. */
  ambiguousLimit?: number;
}

/** Called after a failed publish while the cloud counts as down: the lane's never-attempted messages may go elsewhere. */
export type OnDown = (lane: CloudLane) => Promise<void>;

export interface LaneDependencies {
  spool: Spool;
  /** Called once, at the first publish, so a lane that never sends opens no connection. */
  publisher: () => Publisher;
  clock: Clock;
  options?: LaneOptions;
  onDown?: OnDown;
}

export class CloudLane {
  readonly cloud: Origin;
  readonly stats: CloudStats = {
    records: 0,
    messages: 0,
    spooled: 0,
    replayed: 0,
    failures: 0,
    rerouted: 0,
    healthy: true,
  };
  readonly #spool: Spool;
  readonly #publisher: () => Publisher;
  #created: Publisher | undefined;
  readonly #queue: SpoolEntry[] = [];
  #memory = 0;
  /** The batch being published: still pending, and kept by a compaction of the spool. */
  #inFlight: SpoolEntry[] = [];
  #stopped = false;
  /** Aborted by {@link stop}: ends a backoff early. */
  readonly #stopping = new AbortController();
  #wake: (() => void) | undefined;
  #idle: (() => void)[] = [];
  /** Failed publishes since the last accepted one: the retry number of the backoff. */
  #failuresInRow = 0;
  #ambiguousRun = 0;
  readonly #o: Required<LaneOptions>;
  readonly #backoff: BackoffPolicy;
  readonly #clock: Clock;
  readonly done: Promise<void>;

  readonly #onDown: OnDown | undefined;
  /** Ids handed to the publisher at least once (or spooled by an earlier run): they may have arrived. */
  readonly #attempted = new Set<number>();

  constructor(cloud: Origin, { spool, publisher, clock, options = {}, onDown }: LaneDependencies) {
    this.cloud = cloud;
    this.#onDown = onDown;
    this.#spool = spool;
    this.#publisher = publisher;
    this.#clock = clock;
    this.#o = {
      batchMessages: 50,
      memoryBytes: 32 * 1024 * 1024,
      publishTimeoutMs: 10_000,
      retryInitialMs: 250,
      retryMaxMs: 2_000,
      ambiguousLimit: 3,
      ...options,
    };
    // One lane retries alone against its cloud: nobody to spread out from, so no jitter.
    this.#backoff = { baseMs: this.#o.retryInitialMs, maxMs: this.#o.retryMaxMs };
    this.done = this.#run();
  }

  /** Queues spooled messages for sending. */
  enqueue(entries: readonly SpoolEntry[]): void {
    for (const e of entries) {
      if (e.body !== undefined) {
        if (this.#memory + e.length > this.#o.memoryBytes) delete e.body;
        else this.#memory += e.length;
      }
      this.#queue.push(e);
      if (e.replayed) this.#attempted.add(e.id);
      this.stats.spooled += e.records;
    }
    this.#wake?.();
  }

  /** Bytes of bodies waiting in memory: the producer slows the source down while a healthy lane is full. */
  get memoryBytes(): number {
    return this.#memory;
  }

  get pending(): number {
    return this.#queue.length + this.#inFlight.length;
  }

  /** The messages not yet accepted, in flight or queued: what a compaction of the spool must keep. */
  pendingEntries(): SpoolEntry[] {
    return [...this.#inFlight, ...this.#queue];
  }

  /**
   * Removes and returns the queued messages never handed to the publisher: provably not delivered, so failover may
   * assign them to another cloud. The caller re-enqueues any it keeps here.
   */
  takeUnattempted(): SpoolEntry[] {
    const taken: SpoolEntry[] = [];
    const kept: SpoolEntry[] = [];
    for (const e of this.#queue) (this.#attempted.has(e.id) ? kept : taken).push(e);
    this.#queue.splice(0, this.#queue.length, ...kept);
    for (const e of taken) {
      if (e.body !== undefined) this.#memory -= e.length;
      this.stats.spooled -= e.records;
    }
    return taken;
  }

  /** Resolves when nothing is pending. */
  idle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  /** Stops after the publish in flight (its outcome is still recorded), and closes the publisher. */
  async stop(graceMs: number): Promise<void> {
    this.#stopped = true;
    this.#stopping.abort();
    this.#wake?.();
    await this.#within(graceMs, this.done);
    if (this.#created)
      await this.#within(
        graceMs,
        this.#created.close().catch(() => {}),
      );
  }

  async #run(): Promise<void> {
    while (!this.#stopped) {
      if (this.#queue.length === 0) {
        for (const resolve of this.#idle.splice(0)) resolve();
        await new Promise<void>((resolve) => {
          this.#wake = resolve;
        });
        this.#wake = undefined;
        continue;
      }
      const batch = this.#queue.splice(0, this.#o.batchMessages);
      this.#inFlight = batch;
      for (const e of batch) this.#attempted.add(e.id);
      try {
        await this.#publish(batch);
        this.#accepted(batch);
      } catch (error) {
        await this.#failed(batch, error);
      }
    }
  }

  /** Sends the batch and records it as accepted in the spool; throws what the transport threw, or a timeout. */
  async #publish(batch: readonly SpoolEntry[]): Promise<void> {
    const messages: OutboundMessage[] = [];
    for (const e of batch) messages.push({ body: await this.#spool.body(e), partitionKey: e.key });
    this.#created ??= this.#publisher();
    const publisher = this.#created;
    await this.#withTimeout((signal) => publisher.publish(messages, signal));
    await this.#spool.acknowledge(batch.map((e) => e.id));
  }

  #accepted(batch: readonly SpoolEntry[]): void {
    this.#inFlight = [];
    for (const e of batch) {
      if (e.body !== undefined) this.#memory -= e.length;
      delete e.body;
      this.stats.records += e.records;
      this.stats.spooled -= e.records;
      if (e.replayed) this.stats.replayed += e.records;
      this.#attempted.delete(e.id);
    }
    this.stats.messages += batch.length;
    this.stats.healthy = true;
    this.#ambiguousRun = 0;
    this.#failuresInRow = 0;
  }

  async #failed(batch: readonly SpoolEntry[], error: unknown): Promise<void> {
    // Back in front, in order: the same messages go to the same cloud when it answers again.
    this.#queue.unshift(...batch);
    this.#inFlight = [];
    this.stats.failures++;
    this.stats.lastError = describeFailure(error);
    // A cloud that does not answer at all (Pub/Sub's and Event Hubs' clients wait for a connection rather than
    // fail) is down for new records at once; the messages in question stay with it all the same.
    if (
      classifyFailure(error) === 'definite' ||
      error instanceof PublishTimeout ||
      ++this.#ambiguousRun >= this.#o.ambiguousLimit
    )
      this.stats.healthy = false;
    // What was never handed to the publisher cannot have arrived, whatever the failure: while the cloud is down
    // it may go to another. What was attempted stays.
    if (!this.stats.healthy) await this.#onDown?.(this).catch(() => {});
    // The wait ends early when the lane is stopped.
    await this.#clock.sleep(backoffCeiling(++this.#failuresInRow, this.#backoff), this.#stopping.signal);
  }

  /** Runs `work`, and past the publish timeout gives up on it: rejects with a PublishTimeout and aborts its signal. */
  async #withTimeout(work: (signal: AbortSignal) => Promise<void>): Promise<void> {
    const ms = this.#o.publishTimeoutMs;
    const abandoned = new AbortController();
    const answered = new AbortController();
    try {
      await Promise.race([
        work(abandoned.signal),
        new Promise<never>((_, reject) => {
          void this.#clock.sleep(ms, answered.signal).then(() => {
            if (answered.signal.aborted) return;
            reject(new PublishTimeout(`the transport did not answer within ${ms / 1000} s`));
            abandoned.abort();
          });
        }),
      ]);
    } finally {
      answered.abort();
    }
  }

  /** Waits for `work`, at most `ms`. */
  async #within(ms: number, work: Promise<unknown>): Promise<void> {
    const over = new AbortController();
    await Promise.race([work, this.#clock.sleep(ms, over.signal)]);
    over.abort();
  }
}

class PublishTimeout extends Error {}
