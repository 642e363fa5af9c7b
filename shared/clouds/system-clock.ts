import type { Clock } from '../core/index.ts';

/** The real clock, for deployed functions and hosts; the core takes it through the `Clock` port. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};
