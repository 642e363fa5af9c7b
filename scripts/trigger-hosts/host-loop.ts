/**
 * The loop every local trigger host runs: poll, invoke, settle, until stopped. A failing poll (a server down
 * during a chaos test) is counted and retried after a pause; the host never dies of it, as a platform would not.
 */
export interface HostStats {
  invocations: number;
  messages: number;
  failedMessages: number;
  errors: number;
  lastError?: string;
}

/** What the hosts have in common for whoever runs them: counters and a way to stop. */
export interface TriggerHost {
  readonly name: string;
  readonly stats: HostStats;
  stop(): Promise<void>;
}

export class HostLoop implements TriggerHost {
  readonly name: string;
  readonly stats: HostStats = { invocations: 0, messages: 0, failedMessages: 0, errors: 0 };
  #running = true;
  readonly #done: Promise<void>;

  /** `step` returns whether it found work; an idle step is followed by the next poll at once (long polls wait). */
  constructor(name: string, step: (stats: HostStats, isRunning: () => boolean) => Promise<boolean>) {
    this.name = name;
    this.#done = (async () => {
      while (this.#running) {
        try {
          const found = await step(this.stats, () => this.#running);
          // Long polls wait on the server; this pause only guards against a server that answers at once.
          if (!found) await new Promise((r) => setTimeout(r, 50));
        } catch (error) {
          this.stats.errors++;
          this.stats.lastError = error instanceof Error ? error.message : String(error);
          await new Promise((r) => setTimeout(r, 250));
        }
      }
    })();
  }

  /** Stops polling; resolves once the invocation in flight, if any, has settled. */
  async stop(): Promise<void> {
    this.#running = false;
    await this.#done;
  }
}
