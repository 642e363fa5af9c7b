/**
 * One cloud's sending lane: the spooled messages assigned to the cloud, sent in order, one publish at a time, with
 * the cloud's health. A message stays with its cloud until the transport accepts it: a failure only delays it
 * (exponential backoff) and marks the cloud unhealthy, which `failover` routing reads to send *new* records
 * elsewhere. Bodies of a long backlog are dropped from memory and read back from the spool when their turn comes.
 */
import type { Origin } from '../shared/core/index.ts';
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
  #wake: (() => void) | undefined;
  #idle: (() => void)[] = [];
  #retryMs: number;
  #ambiguousRun = 0;
  readonly #o: Required<LaneOptions>;
  readonly done: Promise<void>;

  readonly #onDown: OnDown | undefined;
  /** Ids handed to the publisher at least once (or spooled by an earlier run): they may have arrived. */
  readonly #attempted = new Set<number>();

  constructor(
    cloud: Origin,
    spool: Spool,
    publisher: () => Publisher,
    options: LaneOptions = {},
    onDown?: OnDown,
  ) {
    this.cloud = cloud;
    this.#onDown = onDown;
    this.#spool = spool;
    this.#publisher = publisher;
    this.#o = {
      batchMessages: 50,
      memoryBytes: 32 * 1024 * 1024,
      publishTimeoutMs: 10_000,
      retryInitialMs: 250,
      retryMaxMs: 2_000,
      ambiguousLimit: 3,
      ...options,
    };
    this.#retryMs = this.#o.retryInitialMs;
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
    this.#wake?.();
    await Promise.race([this.done, sleep(graceMs)]);
    if (this.#created) await Promise.race([this.#created.close().catch(() => {}), sleep(graceMs)]);
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
        const messages: OutboundMessage[] = [];
        for (const e of batch) messages.push({ body: await this.#spool.body(e), partitionKey: e.key });
        this.#created ??= this.#publisher();
        const publisher = this.#created;
        await withTimeout((signal) => publisher.publish(messages, signal), this.#o.publishTimeoutMs);
        await this.#spool.acknowledge(batch.map((e) => e.id));
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
        this.#retryMs = this.#o.retryInitialMs;
      } catch (error) {
        // Back in front, in order: the same messages go to the same cloud when it answers again.
        this.#queue.unshift(...batch);
        this.#inFlight = [];
        this.stats.failures++;
        this.stats.lastError = describeFailure(error);
        const kind = classifyFailure(error);
        // A cloud that does not answer at all (Pub/Sub's and Event Hubs' clients wait for a connection rather than
        // fail) is down for new records at once; the messages in question stay with it all the same.
        if (
          kind === 'definite' ||
          error instanceof PublishTimeout ||
          ++this.#ambiguousRun >= this.#o.ambiguousLimit
        )
          this.stats.healthy = false;
        // What was never handed to the publisher cannot have arrived, whatever the failure: while the cloud is down
        // it may go to another. What was attempted stays.
        if (!this.stats.healthy) await this.#onDown?.(this).catch(() => {});
        await this.#pause(this.#retryMs);
        this.#retryMs = Math.min(this.#o.retryMaxMs, this.#retryMs * 2);
      }
    }
  }

  /** Waits before a retry, waking early when the lane is stopped. */
  #pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = () => {
        if (this.#stopped) done();
      };
    });
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref?.());
}

class PublishTimeout extends Error {}

/** Runs `work`, and past `ms` gives up on it: rejects with a PublishTimeout and aborts the work's signal. */
async function withTimeout<T>(work: (signal: AbortSignal) => Promise<T>, ms: number): Promise<T> {
  const abandoned = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work(abandoned.signal),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          reject(new PublishTimeout(`the transport did not answer within ${ms / 1000} s`));
          abandoned.abort();
        }, ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
