/**
 * Sync settings from the environment:
 *
 * | variable | meaning | default |
 * |---|---|---|
 * | `TRICLOUD_SYNC_BUDGET` | wall time one run may take; keep it below the platform's timeout | `50s` |
 * | `TRICLOUD_SYNC_OVERLAP` | how far behind its watermark each run reads again | `60s` |
 * | `TRICLOUD_SYNC_PAGE_SIZE` | documents per page read from a source | `200` |
 */
import { ConfigError, parseDuration, type SyncOptions } from '../core/index.ts';
import type { Env } from './local-env.ts';

export function readSyncOptions(env: Env = process.env): SyncOptions {
  const pageSize = Number(env.TRICLOUD_SYNC_PAGE_SIZE ?? '200');
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 1_000) {
    throw new ConfigError(
      `TRICLOUD_SYNC_PAGE_SIZE must be a whole number from 1 to 1000, got '${env.TRICLOUD_SYNC_PAGE_SIZE}'.`,
    );
  }
  return {
    pageSize,
    budgetMs: parseDuration(env.TRICLOUD_SYNC_BUDGET ?? '50s', 'TRICLOUD_SYNC_BUDGET'),
    overlapMs: parseDuration(env.TRICLOUD_SYNC_OVERLAP ?? '60s', 'TRICLOUD_SYNC_OVERLAP'),
  };
}
