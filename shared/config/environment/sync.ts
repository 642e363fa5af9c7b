/**
 * How each cloud's sync function runs, from the environment. (The Azure timer's schedule is a setting the
 * Functions host reads, not us: see `functions/azure/sync.ts`.)
 */
import type { SyncOptions } from '../../core/sync.ts';
import { duration, type Env, wholeNumber } from './values.ts';

/**
 * | variable | meaning | default |
 * |---|---|---|
 * | `TRICLOUD_SYNC_BUDGET` | wall time one run may take; keep it below the platform's timeout | `50s` |
 * | `TRICLOUD_SYNC_OVERLAP` | how far behind its watermark each run reads again | `60s` |
 * | `TRICLOUD_SYNC_PAGE_SIZE` | documents per page read from a source | `200` |
 */
export const syncNames = {
  budget: 'TRICLOUD_SYNC_BUDGET',
  overlap: 'TRICLOUD_SYNC_OVERLAP',
  pageSize: 'TRICLOUD_SYNC_PAGE_SIZE',
} as const;

export function readSyncOptions(env: Env = process.env): SyncOptions {
  const n = syncNames;
  return {
    pageSize: wholeNumber(env, n.pageSize, { min: 1, max: 1_000, fallback: 200 }),
    budgetMs: duration(env, n.budget, '50s'),
    overlapMs: duration(env, n.overlap, '60s'),
  };
}
