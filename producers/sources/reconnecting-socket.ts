/**
 * A WebSocket that stays connected: it reconnects after every close, error or silence, with the core's capped
 * exponential backoff and full jitter, until its signal aborts, and hands the text frames of all its connections to one
 * reader in arrival order.
 *
 * It uses `ws` rather than Node's global `WebSocket` because the global one hides ping frames: Binance pings every
 * 20 s and a quiet symbol can go minutes without a trade, so only pings tell a live but quiet connection from a
 * dead one (a half-open TCP connection delivers nothing and never closes by itself). `ws` answers pings with pongs
 * itself, as Binance requires, and reports them.
 */
import WebSocket from 'ws';
import { systemClock } from '../../shared/clouds/system-clock.ts';
import { jitteredDelay } from '../../shared/core/index.ts';

export interface ReconnectPolicy {
  /** Ceiling of the first retry delay after a connection that worked. */
  initialDelayMs: number;
  /** Ceiling that the doubling delay never exceeds. */
  maxDelayMs: number;
  /** A connection with no frame and no ping for this long is taken as dead and replaced. */
  heartbeatTimeoutMs: number;
  /**
   * Reading stops while this many frames wait for the reader, and goes on when half have been read, so a reader
   * slower than the market (a producer held to `--rate`) costs bounded memory. A connection paused long enough
   * misses Binance's pings and is dropped by the server; the reconnect and the gap fill make up for it.
   */
  maxBufferedFrames: number;
}

/** What the socket reports, so the source can count and log it. */
export interface SocketEvents {
  onOpen?(connection: number): void;
  onDrop?(drop: { connection: number; code: number; reason: string; retryInMs: number }): void;
  onPause?(buffered: number): void;
}

export class ReconnectingSocket {
  /** Settles once the socket is closed for good (after the signal aborted). */
  readonly finished: Promise<void>;
  #connections = 0;
  #current: WebSocket | undefined;
  readonly #frames: string[] = [];
  #head = 0;
  #wake: (() => void) | undefined;
  #stopped = false;

  readonly #url: string;
  readonly #signal: AbortSignal;
  readonly #policy: ReconnectPolicy;
  readonly #events: SocketEvents;

  constructor(url: string, signal: AbortSignal, policy: ReconnectPolicy, events: SocketEvents = {}) {
    this.#url = url;
    this.#signal = signal;
    this.#policy = policy;
    this.#events = events;
    // The reader stops at once on abort, without waiting for the socket's closing handshake.
    signal.addEventListener('abort', () => this.#stop(), { once: true });
    this.finished = this.#run();
  }

  /** How many connections were opened (or attempted) so far. */
  get connections(): number {
    return this.#connections;
  }

  /** The text frames of every connection in arrival order; ends when the signal aborts. One reader only. */
  async *frames(): AsyncGenerator<string> {
    for (;;) {
      if (this.#stopped) return;
      if (this.#head < this.#frames.length) {
        const frame = this.#frames[this.#head]!;
        this.#head++;
        if (this.#current?.isPaused && this.#buffered() <= this.#policy.maxBufferedFrames / 2) {
          this.#current.resume();
        }
        // Drop consumed frames now and then, so a long run does not keep every frame it ever read.
        if (this.#head >= 1024 && this.#head * 2 >= this.#frames.length) {
          this.#frames.splice(0, this.#head);
          this.#head = 0;
        }
        yield frame;
        continue;
      }
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
    }
  }

  /** Closes the current connection so that a new one is opened (e.g. when the server announces a shutdown). */
  reconnect(): void {
    this.#current?.terminate();
  }

  #buffered(): number {
    return this.#frames.length - this.#head;
  }

  #stop(): void {
    this.#stopped = true;
    this.#wakeReader();
  }

  #wakeReader(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  async #run(): Promise<void> {
    let failures = 0;
    try {
      while (!this.#signal.aborted) {
        const outcome = await this.#connectOnce();
        if (this.#signal.aborted) break;
        // A connection that delivered something worked: start the backoff over. One that did not counts as a
        // failed attempt, so a server that accepts and drops at once is not hammered.
        failures = outcome.delivered ? 0 : failures + 1;
        // Full jitter: producers dropped by the same server restart do not all come back in the same instant, and a
        // server that keeps refusing is asked ever less often.
        const { initialDelayMs: baseMs, maxDelayMs: maxMs } = this.#policy;
        const retryInMs = jitteredDelay(failures + 1, { baseMs, maxMs }, Math.random);
        this.#events.onDrop?.({
          connection: this.#connections,
          code: outcome.code,
          reason: outcome.reason,
          retryInMs,
        });
        await systemClock.sleep(retryInMs, this.#signal);
      }
    } finally {
      this.#stop();
    }
  }

  #connectOnce(): Promise<{ delivered: boolean; code: number; reason: string }> {
    return new Promise((resolve) => {
      const connection = ++this.#connections;
      const heartbeat = this.#policy.heartbeatTimeoutMs;
      const ws = new WebSocket(this.#url, { handshakeTimeout: heartbeat, perMessageDeflate: false });
      this.#current = ws;
      let delivered = false;
      let lastHeard = Date.now();
      let problem = '';
      // One interval per connection rather than a timer re-armed per frame: trades can arrive thousands a second.
      const watchdog = setInterval(
        () => {
          // A paused connection hears nothing by our choice; its silence only counts from when it resumes.
          if (ws.isPaused) lastHeard = Date.now();
          else if (Date.now() - lastHeard > heartbeat) {
            problem = `no frame or ping for ${heartbeat} ms`;
            ws.terminate();
          }
        },
        Math.max(10, Math.floor(heartbeat / 4)),
      );
      const onAbort = () => ws.terminate();
      this.#signal.addEventListener('abort', onAbort, { once: true });
      ws.on('open', () => {
        lastHeard = Date.now();
        this.#events.onOpen?.(connection);
      });
      ws.on('ping', () => {
        lastHeard = Date.now();
      });
      ws.on('message', (data, isBinary) => {
        lastHeard = Date.now();
        delivered = true;
        if (this.#stopped) return;
        // Binance sends text frames; a binary one is passed on as text so the source rejects it with its bytes.
        this.#frames.push(isBinary ? Buffer.from(data as Buffer).toString('utf8') : data.toString());
        this.#wakeReader();
        if (!ws.isPaused && this.#buffered() >= this.#policy.maxBufferedFrames) {
          ws.pause();
          this.#events.onPause?.(this.#buffered());
        }
      });
      ws.on('error', (error) => {
        problem ||= error.message;
      });
      ws.on('close', (code, reason) => {
        clearInterval(watchdog);
        this.#signal.removeEventListener('abort', onAbort);
        if (this.#current === ws) this.#current = undefined;
        resolve({ delivered, code, reason: problem || reason.toString() || 'connection closed' });
      });
    });
  }
}
