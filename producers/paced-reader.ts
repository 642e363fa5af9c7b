/**
 * Reads a source for the producer: at most `rate` records a second, stopping at once when its signal aborts (even
 * while the source waits on its network), and waking at the open chunk's deadline, so a slow source still commits
 * what it has read. Every wait is on the producer's `Clock`.
 */
import type { Clock } from '../shared/core/index.ts';
import type { Source, SourceItem } from './sources/source.ts';

/** What {@link PacedReader.next} returns: an item, or why there is none now. */
export type ReadStep = SourceItem | 'due' | 'stopped' | 'done';

export interface PacedReaderOptions {
  clock: Clock;
  /** Stops reading: `next` returns `'stopped'`. */
  signal: AbortSignal;
  /** Records per second, at most. */
  rate?: number;
  resumeFrom?: string;
}

export class PacedReader {
  readonly #iterator: AsyncIterator<SourceItem>;
  readonly #o: PacedReaderOptions;
  readonly #startedAt: number;
  /** Records returned so far: the pace is set by them (rejects cost nothing). */
  #records = 0;
  /** The source's next item, asked for and not yet returned (a wait may end before it comes). */
  #pending: Promise<IteratorResult<SourceItem>> | undefined;
  /** One timer per chunk deadline, not one per record. */
  #deadline: { at: number; fired: Promise<'due'>; cancel: AbortController } | undefined;
  #wakeOnStop: (() => void) | undefined;

  constructor(source: Source, options: PacedReaderOptions) {
    this.#o = options;
    this.#startedAt = options.clock.now();
    const { signal, resumeFrom } = options;
    this.#iterator = source
      .items({ signal, ...(resumeFrom === undefined ? {} : { resumeFrom }) })
      [Symbol.asyncIterator]();
    signal.addEventListener('abort', () => this.#wakeOnStop?.(), { once: true });
  }

  /** The next item; `'due'` when `dueAt` (the open chunk's deadline) comes first. */
  async next(dueAt: number | undefined): Promise<ReadStep> {
    const { clock, signal } = this.#o;
    for (;;) {
      if (signal.aborted) return 'stopped';
      const wait = this.#paceWait();
      if (wait > 0) {
        const untilDue = dueAt === undefined ? wait : dueAt - clock.now();
        await clock.sleep(Math.max(0, Math.min(wait, untilDue)), signal);
        if (dueAt !== undefined && clock.now() >= dueAt) return 'due';
        continue;
      }
      this.#pending ??= this.#iterator.next();
      const waits: Promise<IteratorResult<SourceItem> | 'stopped' | 'due'>[] = [
        this.#pending,
        this.#stopped(),
      ];
      if (dueAt !== undefined) waits.push(this.#due(dueAt));
      const result = await Promise.race(waits);
      if (result === 'stopped' || result === 'due') return result;
      this.#pending = undefined;
      if (result.done) return 'done';
      if (result.value.kind === 'record') this.#records++;
      return result.value;
    }
  }

  /** Ends the source without waiting for it: a source blocked on its network has been told to stop. */
  close(): void {
    this.#deadline?.cancel.abort();
    void this.#iterator.return?.()?.catch(() => {});
  }

  /** How long until the next record is due under `rate`. */
  #paceWait(): number {
    if (this.#o.rate === undefined) return 0;
    return this.#startedAt + (this.#records / this.#o.rate) * 1000 - this.#o.clock.now();
  }

  /** A fresh promise per wait: racing one long-lived promise on every record would pile up its reactions forever. */
  #stopped(): Promise<'stopped'> {
    if (this.#o.signal.aborted) return Promise.resolve('stopped');
    return new Promise((resolve) => {
      this.#wakeOnStop = () => resolve('stopped');
    });
  }

  #due(at: number): Promise<'due'> {
    if (this.#deadline?.at !== at) {
      this.#deadline?.cancel.abort();
      const cancel = new AbortController();
      const fired = this.#o.clock.sleep(at - this.#o.clock.now(), cancel.signal).then(() => 'due' as const);
      this.#deadline = { at, fired, cancel };
    }
    return this.#deadline.fired;
  }
}
