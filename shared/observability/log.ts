/**
 * Structured JSON logs, one object per line, as every cloud's log service ingests them (CloudWatch, Cloud
 * Logging, Application Insights). Secrets never reach here: callers log reports and ids, not settings.
 * `TRICLOUD_LOG_LEVEL` (debug, info, warn, error; default info) sets the least severe level written.
 */
export type Level = 'debug' | 'info' | 'warn' | 'error';

const SEVERITY: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export function log(level: Level, message: string, fields: Record<string, unknown> = {}): void {
  const threshold =
    SEVERITY[(process.env.TRICLOUD_LOG_LEVEL as Level | undefined) ?? 'info'] ?? SEVERITY.info;
  if (SEVERITY[level] < threshold) return;
  const line = JSON.stringify({ level, message, time: new Date().toISOString(), ...fields });
  if (level === 'error' || level === 'warn') console.error(line);
  else console.log(line);
}
