import type { Clock } from '../ports.ts';

/**
 * A deterministic clock for tests: time moves only when read (by `step`) or slept on, never by itself. A sleep
 * returns at once, so code that races a wait against work should take a {@link ManualClock} instead.
 */
export class SteppingClock implements Clock {
  #now: number;
  readonly #step: number;

  constructor(start = 1_700_000_000_000, step = 1) {
    this.#now = start;
    this.#step = step;
  }

  now(): number {
    this.#now += this.#step;
    return this.#now;
  }

  async sleep(ms: number): Promise<void> {
    this.#now += ms;
  }
}
