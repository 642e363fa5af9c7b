/**
 * A deadline for each check, so a cloud that is down or silent stalls nobody: the check's answer if it comes in
 * time, otherwise a sentence saying it did not. The work itself is left to finish or fail on its own (an SDK call
 * cannot always be stopped); what it finally does is ignored.
 */

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: string; timedOut: boolean };

/** Waits for `work` until `deadlineAt` (epoch ms); `deadlineMs` is the whole budget, for the message. */
export async function within<T>(
  work: Promise<T>,
  deadlineAt: number,
  deadlineMs: number,
): Promise<Outcome<T>> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<Outcome<T>>((resolve) => {
    timer = setTimeout(
      () => resolve({ ok: false, error: `no answer within ${deadlineMs} ms`, timedOut: true }),
      Math.max(0, deadlineAt - Date.now()),
    );
  });
  const settled = work.then(
    (value): Outcome<T> => ({ ok: true, value }),
    (error: unknown): Outcome<T> => ({ ok: false, error: describeError(error), timedOut: false }),
  );
  try {
    return await Promise.race([settled, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** An error as one line a person can act on: its message (or code), without a stack, at most 300 characters. */
export function describeError(error: unknown): string {
  let text: string;
  if (error instanceof AggregateError && error.errors.length > 0) text = describeError(error.errors[0]);
  else if (error instanceof Error)
    text = error.message || (error as NodeJS.ErrnoException).code || error.name;
  else text = String(error);
  const line = text.split('\n')[0]!.trim();
  return line.length > 300 ? `${line.slice(0, 299)}…` : line;
}
