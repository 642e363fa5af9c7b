/** Polling with a deadline: how the stack waits for a server to answer, never a fixed sleep. */
import { setTimeout as delay } from 'node:timers/promises';

export interface WaitOptions {
  /** What is awaited, for the error message: "the Pub/Sub emulator to answer on 127.0.0.1:8085". */
  description: string;
  timeoutMs: number;
  intervalMs?: number;
  /** Checked between attempts; a reason string stops the wait early (e.g. "the emulator exited with code 1"). */
  abortReason?: () => string | undefined;
}

/**
 * Calls `attempt` until it resolves to a value other than `undefined`, a deadline passes, or `abortReason` gives a
 * reason. Errors thrown by `attempt` count as "not yet" and the last one is attached as the cause on timeout.
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
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      throw new Error(`Timed out after ${options.timeoutMs} ms waiting for ${options.description}.`, {
        cause: lastError,
      });
    }
    await delay(interval);
  }
}
