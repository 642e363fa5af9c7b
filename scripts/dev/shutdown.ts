/**
 * Everything a `tricloud dev` run starts is stopped at its end, in reverse order of starting, whether the run
 * ends, fails or is interrupted — each part given a bounded time, so a client stuck on a connection an outage
 * broke cannot keep the run from ending.
 */
export class Shutdown {
  readonly #stops: (() => unknown)[] = [];
  readonly #timeoutMs: number;

  constructor(timeoutMs: number) {
    this.#timeoutMs = timeoutMs;
  }

  /** Registers how to stop a part just started. */
  defer(stop: () => unknown): void {
    this.#stops.push(stop);
  }

  /** Stops every registered part, the last started first; a part that fails or hangs does not hold up the rest. */
  async stopAll(): Promise<void> {
    for (let stop = this.#stops.pop(); stop; stop = this.#stops.pop()) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.resolve()
          .then(stop)
          .catch(() => {}),
        new Promise((resolve) => {
          timer = setTimeout(resolve, this.#timeoutMs);
        }),
      ]);
      clearTimeout(timer);
    }
  }

  /**
   * Until the returned function is called, SIGINT and SIGTERM stop everything and exit with 130 and 143, as a
   * shell expects of an interrupted command.
   */
  exitOnSignals(): () => void {
    const interrupted = () => void this.stopAll().then(() => process.exit(130));
    const terminated = () => void this.stopAll().then(() => process.exit(143));
    process.once('SIGINT', interrupted);
    process.once('SIGTERM', terminated);
    return () => {
      process.off('SIGINT', interrupted);
      process.off('SIGTERM', terminated);
    };
  }
}
