/**
 * Pipeline settings shared by the three clouds' functions, from the environment:
 *
 * | variable | meaning | default |
 * |---|---|---|
 * | `TRICLOUD_WINDOWS` | window sizes, comma-separated (`1m,5m,1h`) | `1m` |
 * | `TRICLOUD_MAX_LATENESS` | dead-letter records later than this (`10m`); unset: accept every late record | unset |
 * | `TRICLOUD_INGEST_CONCURRENCY` | window documents written at once per invocation | `16` |
 */
import { ConfigError, parseDuration, parseWindows, type WindowSpec } from '../core/index.ts';
import type { Env } from './local-env.ts';

export interface PipelineSettings {
  windows: WindowSpec[];
  maxLatenessMs?: number;
  concurrency: number;
}

export function readPipelineSettings(env: Env = process.env): PipelineSettings {
  const lateness = env.TRICLOUD_MAX_LATENESS;
  const concurrency = Number(env.TRICLOUD_INGEST_CONCURRENCY ?? '16');
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new ConfigError(
      `TRICLOUD_INGEST_CONCURRENCY must be a whole number >= 1, got '${env.TRICLOUD_INGEST_CONCURRENCY}'.`,
    );
  }
  return {
    windows: parseWindows(env.TRICLOUD_WINDOWS ?? '1m'),
    ...(lateness ? { maxLatenessMs: parseDuration(lateness, 'TRICLOUD_MAX_LATENESS') } : {}),
    concurrency,
  };
}
