/**
 * `tricloud dev`'s progress lines, each stamped with the seconds since the run started: printed as they come, or,
 * while the live view runs, said through it so they scroll above its rows instead of tearing them.
 */
export class RunLog {
  readonly #started = performance.now();
  #through: ((line: string) => void) | undefined;

  /** ms since the run started. */
  readonly elapsedMs = (): number => performance.now() - this.#started;

  /** Seconds since the run started, as the stamp of a line: `  12.3 s`. */
  readonly elapsed = (): string => `${(this.elapsedMs() / 1000).toFixed(1).padStart(6)} s`;

  readonly say = (line: string): void => {
    if (this.#through) this.#through(line);
    else console.log(`[${this.elapsed()}] ${line}`);
  };

  /** Lines go to `say` (a live view's, which stamps them the same way) until {@link direct}. */
  through(say: (line: string) => void): void {
    this.#through = say;
  }

  /** Lines are printed directly again. */
  direct(): void {
    this.#through = undefined;
  }
}
