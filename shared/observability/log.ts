/**
 * Structured JSON logs, one object per line, as every cloud's log service ingests them (CloudWatch, Cloud
 * Logging, Application Insights). Secrets never reach here: callers log reports and ids, not settings.
 * `TRICLOUD_LOG_LEVEL` (debug, info, warn, error; default info) sets the least severe level written.
 */
export type Level = 'debug' | 'info' | 'warn' | 'error';

const SEVERITY: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/**
 * Where a local host reads the functions' log lines instead of stdout/stderr, as a cloud's log agent would
 * (`tricloud dev` derives its live view and metrics from them). A global symbol rather than a module variable,
 * because each bundled function carries its own copy of this module. Absent in the cloud.
 */
export const LOG_SINK: unique symbol = Symbol.for('tricloud.log-sink') as never;

/** Receives each JSON line with its level; installed on `globalThis[LOG_SINK]`. */
export type LogSink = (level: Level, line: string) => void;

/** Whether a line of `level` passes the `TRICLOUD_LOG_LEVEL` threshold. */
export function isLogged(level: Level): boolean {
  const threshold =
    SEVERITY[(process.env.TRICLOUD_LOG_LEVEL as Level | undefined) ?? 'info'] ?? SEVERITY.info;
  return SEVERITY[level] >= threshold;
}

/** Writes one already-shaped entry as a JSON line: to the installed sink, else stderr (warn, error) or stdout. */
export function writeEntry(level: Level, entry: Record<string, unknown>): void {
  if (!isLogged(level)) return;
  const line = JSON.stringify(entry);
  const sink = (globalThis as { [LOG_SINK]?: LogSink })[LOG_SINK];
  if (sink) sink(level, line);
  else if (level === 'error' || level === 'warn') console.error(line);
  else console.log(line);
}

export function log(level: Level, message: string, fields: Record<string, unknown> = {}): void {
  writeEntry(level, { level, message, time: new Date().toISOString(), ...fields });
}
