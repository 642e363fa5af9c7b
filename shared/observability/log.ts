/**
 * Structured JSON logs, one object per line, as every cloud's log service ingests them (CloudWatch, Cloud
 * Logging, Application Insights). Secrets never reach here: callers log reports and ids, not settings.
 */
export type Level = 'debug' | 'info' | 'warn' | 'error';

export function log(level: Level, message: string, fields: Record<string, unknown> = {}): void {
  const line = JSON.stringify({ level, message, time: new Date().toISOString(), ...fields });
  if (level === 'error' || level === 'warn') console.error(line);
  else console.log(line);
}
