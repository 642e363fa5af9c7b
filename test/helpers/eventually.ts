/** Polls until a condition holds, with a deadline: tests never sleep to synchronise. */
import { waitUntil } from '../../scripts/machine/wait-until.ts';

/**
 * Probes until `done` holds for what the probe returns, and returns that; a probe that throws counts as "not yet".
 * On timeout the error names `what` and the last value seen (or the last error).
 */
export async function eventually<T>(
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  options: { what: string; timeoutMs?: number; intervalMs?: number },
): Promise<T> {
  let last: { value: T } | undefined;
  const found = await waitUntil(
    async () => {
      last = { value: await probe() };
      return done(last.value) ? last : undefined;
    },
    {
      description: options.what,
      timeoutMs: options.timeoutMs ?? 45_000,
      ...(options.intervalMs === undefined ? {} : { intervalMs: options.intervalMs }),
      lastSeen: () => (last ? JSON.stringify(last.value)?.slice(0, 500) : undefined),
    },
  );
  return found.value;
}
