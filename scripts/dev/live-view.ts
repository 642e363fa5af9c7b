/**
 * The terminal while `tricloud dev` runs: one row per cloud — messages queued, records stored, dead-lettered,
 * failed messages, documents in its store, sync lag behind each other cloud — and, under the rows, for each cloud
 * whose messages failed, why (per reason) and the latest error. On a terminal the rows redraw in place every
 * half-second and progress lines scroll above them; otherwise (a pipe, CI) the rows are printed every few seconds
 * (`producers/terminal-view.ts` draws them, as it draws `tricloud produce`'s progress).
 */
import { terminalView } from '../../producers/terminal-view.ts';
import { ORIGINS, type Origin } from '../../shared/core/index.ts';

export interface CloudRow {
  /** Messages sent but not yet ingested; unknown (`-`) when other producers send. */
  queued?: number;
  /** Records stored by the cloud's ingest (counted once, however often they were delivered). */
  ingested: number;
  deadLettered: number;
  /** Failed messages per reason over the run: `transient`, or why the store refused them for good. */
  failures: Record<string, number>;
  /** The latest failing invocation's first error. */
  lastError?: string;
  documents: number;
  /** Lag of this cloud's store behind each source, ms, from its last sync run that read something. */
  syncLagMs: Partial<Record<Origin, number>>;
}

export interface LiveStatus {
  /** A few words: what the run is doing now. */
  phase: string;
  rows: Record<Origin, CloudRow>;
}

export interface LiveView {
  /** Prints a progress line (above the rows on a terminal). */
  say(line: string): void;
  /** Stops redrawing; the last rows stay on screen. */
  stop(): void;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}s`;

export function renderRows(status: LiveStatus): string[] {
  const header = `${'cloud'.padEnd(6)}${'queued'.padStart(8)}${'ingested'.padStart(11)}${'dead-lettered'.padStart(15)}${'failed'.padStart(8)}${'documents'.padStart(11)}  sync lag`;
  return [
    `── ${status.phase}`,
    header,
    ...ORIGINS.map((o) => {
      const r = status.rows[o];
      const lag = ORIGINS.filter((s) => s !== o)
        .map((s) => `${s} ${r.syncLagMs[s] === undefined ? '-' : seconds(r.syncLagMs[s]!)}`)
        .join(', ');
      return `${o.padEnd(6)}${String(r.queued ?? '-').padStart(8)}${r.ingested.toLocaleString('en-US').padStart(11)}${String(r.deadLettered).padStart(15)}${String(failedCount(r)).padStart(8)}${String(r.documents).padStart(11)}  ${lag}`;
    }),
    ...failureLines(status.rows, 120),
  ];
}

/**
 * One line per cloud whose messages failed: how many per reason, and the latest error (cut to `errorChars`).
 * `transient` failures come back and are retried; the others were refused for good by the store.
 */
export function failureLines(rows: Record<Origin, CloudRow>, errorChars = 400): string[] {
  return ORIGINS.filter((o) => failedCount(rows[o]) > 0).map((o) => {
    const r = rows[o];
    const reasons = Object.entries(r.failures)
      .sort(([, a], [, b]) => b - a)
      .map(([reason, n]) => `${reason} ${n}`)
      .join(', ');
    const error = r.lastError ? `; last: ${cut(r.lastError, errorChars)}` : '';
    return `  ${o} failed messages: ${reasons}${error}`;
  });
}

const failedCount = (r: CloudRow) => Object.values(r.failures).reduce((sum, n) => sum + n, 0);

const cut = (text: string, chars: number) => (text.length > chars ? `${text.slice(0, chars - 1)}…` : text);

export function startLiveView(options: {
  mode: 'redraw' | 'lines';
  status: () => LiveStatus;
  elapsed: () => string;
  write?: (text: string) => void;
}): LiveView {
  const stamped = (line: string) => `[${options.elapsed()}] ${line}`;
  const view = terminalView({
    tty: options.mode === 'redraw',
    write: options.write ?? ((text: string) => process.stdout.write(text)),
    plain: (rows) => rows.map(stamped),
  });
  const draw = () => view.show(renderRows(options.status()));
  const timer = setInterval(draw, options.mode === 'redraw' ? 500 : 5_000);
  let stopped = false;
  return {
    say: (line) => view.print(stamped(line)),
    stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      draw();
      view.keep();
    },
  };
}
