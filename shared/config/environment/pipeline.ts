/** How the functions aggregate, from the environment: the same on the three clouds. */
import { parseWindows, type WindowSpec } from '../../core/window.ts';
import { duration, type Env, optional, wholeNumber } from './values.ts';

/**
 * | variable | meaning | default |
 * |---|---|---|
 * | `TRICLOUD_WINDOWS` | window sizes, comma-separated (`1m,5m,1h`) | `1m` |
 * | `TRICLOUD_MAX_LATENESS` | dead-letter records later than this (`10m`); unset: accept every late record | unset |
 * | `TRICLOUD_INGEST_CONCURRENCY` | window documents written at once per invocation | `16` |
 */
export const pipelineNames = {
  windows: 'TRICLOUD_WINDOWS',
  maxLateness: 'TRICLOUD_MAX_LATENESS',
  ingestConcurrency: 'TRICLOUD_INGEST_CONCURRENCY',
} as const;

export interface PipelineSettings {
  windows: WindowSpec[];
  maxLatenessMs?: number;
  concurrency: number;
}

export function readPipelineSettings(env: Env = process.env): PipelineSettings {
  const n = pipelineNames;
  const maxLatenessMs = duration(env, n.maxLateness);
  return {
    windows: parseWindows(optional(env, n.windows) ?? '1m'),
    ...(maxLatenessMs !== undefined ? { maxLatenessMs } : {}),
    concurrency: wholeNumber(env, n.ingestConcurrency, { min: 1, fallback: 16 }),
  };
}
