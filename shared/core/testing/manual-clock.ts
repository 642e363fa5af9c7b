import type { Clock } from '../ports.ts';

interface Sleeper {
  due: number;
  /** Registration order: sleepers due at the same time wake in the order they fell asleep. */
  order: number;
  wake: () => void;
}

/**
 * A deterministic clock for code that races waits against work (timeouts, drain deadlines, backoff), where the
 * {@link SteppingClock}'s instant sleeps would end every race at once: here time stands still until the test moves it
 * with {@link ManualClock.advance}, and a sleep waits until then. So a test decides exactly when a timeout fires,
 * instead of hoping a real timer fires before (or after) the work it races.
 *
 * @example
 * const clock = new ManualClock();
 * const timeout = clock.sleep(200);
 * clock.advance(199); // still pending, however long the machine takes
 * clock.advance(1); // `timeout` resolves now
 */
export class ManualClock implements Clock {
  #now: number;
  #order = 0;
  readonly #sleepers: Sleeper[] = [];

  constructor(start = 1_700_000_000_000) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  /** Waits until the clock is advanced `ms` past now; a wait whose time has come (`ms` ≤ 0) resolves at once. */
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (ms <= 0 || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const sleeper: Sleeper = { due: this.#now + ms, order: this.#order++, wake: () => done() };
      const done = () => {
        const at = this.#sleepers.indexOf(sleeper);
        if (at >= 0) this.#sleepers.splice(at, 1);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      signal?.addEventListener('abort', done, { once: true });
      this.#sleepers.push(sleeper);
    });
  }

  /**
   * Moves time on by `ms`, waking every sleeper due by then in the order they are due. Their continuations run after
   * this returns and see the new time; a sleep they start counts from it.
   */
  advance(ms: number): void {
    const until = this.#now + ms;
    for (let next = this.#earliest(); next !== undefined && next.due <= until; next = this.#earliest()) {
      this.#now = next.due;
      next.wake();
    }
    this.#now = until;
  }

  /** How long until the earliest sleeper is due, or undefined when nothing sleeps. */
  get untilNext(): number | undefined {
    const next = this.#earliest();
    return next === undefined ? undefined : next.due - this.#now;
  }

  /** How many waits are pending. */
  get sleeping(): number {
    return this.#sleepers.length;
  }

  #earliest(): Sleeper | undefined {
    let earliest: Sleeper | undefined;
    for (const s of this.#sleepers) {
      if (!earliest || s.due < earliest.due || (s.due === earliest.due && s.order < earliest.order))
        earliest = s;
    }
    return earliest;
  }
}
