/** Polls until a condition holds, with a deadline: tests never sleep to synchronise. */
export async function eventually<T>(
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  options: { what: string; timeoutMs?: number; intervalMs?: number },
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 45_000);
  let last: T | undefined;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      last = await probe();
      if (done(last)) return last;
    } catch (error) {
      lastError = error;
    }
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 100));
  }
  const seen =
    lastError instanceof Error
      ? `last error: ${lastError.message}`
      : `last seen: ${JSON.stringify(last)?.slice(0, 500)}`;
  throw new Error(`timed out waiting for ${options.what} (${seen})`);
}
