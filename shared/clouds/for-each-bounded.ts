/**
 * Bounded concurrency for adapters that send one request per item or batch (Cosmos point reads, dead-letter
 * batches): a store takes a few requests in flight from one caller well, thousands at once not at all.
 */
/**
 * Runs `work` on each element with at most `concurrency` in flight. At the first failure no new element is taken;
 * once those in flight settle, the first error is thrown.
 */
export async function forEachBounded<T>(
  elements: Iterable<T>,
  concurrency: number,
  work: (element: T) => Promise<void>,
): Promise<void> {
  const iterator = elements[Symbol.iterator]();
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (failure === undefined) {
      const next = iterator.next();
      if (next.done) return;
      try {
        await work(next.value);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  if (failure !== undefined) throw failure.error;
}
