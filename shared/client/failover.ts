/**
 * Asking the clouds in turn: the first answer wins, a cloud that fails or says nothing within the deadline is
 * passed for the next, and optionally a hedge asks the next cloud early while the first is still thinking. Used by
 * `tricloud query` (over the stores) and the read client (over HTTP), in Node and in a browser.
 */
import type { Origin } from '../core/origin.ts';

export interface FailoverOptions {
  /** How long one cloud may take to answer before the next is asked instead. */
  deadlineMs: number;
  /** If set, the next cloud is also asked after this long, and whichever answers first wins. */
  hedgeAfterMs?: number;
}

export interface Attempt {
  cloud: Origin;
  /** Why the cloud's answer was not taken: its error, or the deadline. */
  error: string;
}

export interface Answered<T> {
  cloud: Origin;
  value: T;
  /** The clouds passed before the answer, and why. */
  passed: Attempt[];
}

/** No cloud answered: each one's reason is in `attempts`. */
export class NoCloudAnswered extends Error {
  readonly attempts: Attempt[];
  constructor(attempts: Attempt[]) {
    super(`no cloud answered: ${attempts.map((a) => `${a.cloud}: ${a.error}`).join('; ')}`);
    this.name = 'NoCloudAnswered';
    this.attempts = attempts;
  }
}

/**
 * Asks `clouds` in order. `ask` gets an AbortSignal that fires when its deadline passes or another cloud has
 * answered, so it can stop its request. An error marked `final` (a bad parameter: every cloud would refuse it)
 * is thrown at once instead of asking the next cloud.
 */
export async function askInTurn<T>(
  clouds: readonly Origin[],
  ask: (cloud: Origin, signal: AbortSignal) => Promise<T>,
  options: FailoverOptions,
): Promise<Answered<T>> {
  const passed: Attempt[] = [];
  const done = new AbortController();
  let index = 0;
  return new Promise<Answered<T>>((resolve, reject) => {
    let running = 0;
    let settled = false;
    const launch = () => {
      if (settled || index >= clouds.length) return;
      const cloud = clouds[index++]!;
      running++;
      const own = new AbortController();
      const stop = () => own.abort();
      done.signal.addEventListener('abort', stop, { once: true });
      const deadline = setTimeout(
        () => own.abort(new Error(`no answer within ${options.deadlineMs} ms`)),
        options.deadlineMs,
      );
      const hedge =
        options.hedgeAfterMs === undefined
          ? undefined
          : setTimeout(launch, Math.min(options.hedgeAfterMs, options.deadlineMs));
      const timedOut = new Promise<never>((_, fail) =>
        own.signal.addEventListener('abort', () => fail(own.signal.reason), { once: true }),
      );
      Promise.race([ask(cloud, own.signal), timedOut])
        .then((value) => {
          if (settled) return;
          settled = true;
          done.abort();
          resolve({ cloud, value, passed });
        })
        .catch((error: unknown) => {
          if (settled) return;
          if ((error as { final?: boolean }).final) {
            settled = true;
            done.abort();
            reject(error);
            return;
          }
          passed.push({ cloud, error: error instanceof Error ? error.message : String(error) });
          // Ask the next cloud, unless a hedge is already waiting on one (it moves on when it fails in turn).
          if (running === 1) launch();
        })
        .finally(() => {
          running--;
          clearTimeout(deadline);
          if (hedge) clearTimeout(hedge);
          done.signal.removeEventListener('abort', stop);
          if (!settled && running === 0 && index >= clouds.length) {
            settled = true;
            reject(new NoCloudAnswered(passed));
          }
        });
    };
    launch();
  });
}
