/**
 * Polling with a deadline, the one way anything here waits for something to happen — a server to answer, a port
 * to come free, a test's store to hold what was sent — and never a fixed sleep.
 */
import { setTimeout as delay } from 'node:timers/promises';

export interface WaitOptions {
  /** What is awaited, for the error message: "the Pub/Sub emulator to answer on 127.0.0.1:8085". */
  description: string;
  timeoutMs: number;
  intervalMs?: number;
  /** Checked between attempts; a reason string stops the wait early (e.g. "the emulator exited with code 1"). */
  abortReason?: () => string | undefined;
  /** Whether an error thrown by `attempt` means "not yet" (default: every error does); any other is thrown at once. */
  retryable?: (error: unknown) => boolean;
  /** What was last seen, for the timeout message when no error says it ("3 of 4 documents"). */
  lastSeen?: () => string | undefined;
}

/**
 * Calls `attempt` until it resolves to a value other than `undefined`, a deadline passes, or `abortReason` gives a
 * reason. Errors thrown by `attempt` count as "not yet" unless `retryable` says otherwise; on timeout the last one
 * is named in the message and attached as the cause.
 */
export async function waitUntil<T>(attempt: () => Promise<T | undefined>, options: WaitOptions): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  const interval = options.intervalMs ?? 100;
  let lastError: unknown;
  for (;;) {
    const reason = options.abortReason?.();
    if (reason !== undefined) throw new Error(`Stopped waiting for ${options.description}: ${reason}.`);
    try {
      const value = await attempt();
      if (value !== undefined) return value;
      lastError = undefined;
    } catch (error) {
      if (options.retryable && !options.retryable(error)) throw error;
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const waited = `Timed out after ${options.timeoutMs} ms waiting for ${options.description}`;
      throw new Error(`${waited}${lastState(lastError, options)}.`, { cause: lastError });
    }
    await delay(interval);
  }
}

function lastState(lastError: unknown, options: WaitOptions): string {
  if (lastError !== undefined) {
    return ` (last error: ${lastError instanceof Error ? lastError.message : String(lastError)})`;
  }
  const seen = options.lastSeen?.();
  return seen === undefined ? '' : ` (last seen: ${seen})`;
}
