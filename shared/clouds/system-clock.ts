import type { Clock } from '../core/index.ts';

/** The real clock, for deployed functions and hosts; the core takes it through the `Clock` port. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      // An aborted wait clears its timer, so a finished producer is not kept alive by a drain timeout.
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener('abort', done, { once: true });
    }),
};
