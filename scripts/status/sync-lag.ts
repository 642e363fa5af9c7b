/**
 * Sync lag per (store, source): the watermark the store keeps for the source in its sync state (DESIGN §5), and
 * the source's changes after it — what the next sync run would pull. The oldest of those says how stale the store
 * is; none means caught up. Only the port is used, so this is the same against every cloud.
 *
 * The watermark also says when a run last read the source to its end (`checkedAt`, the last sync run), which its
 * position cannot: a run that finds nothing new moves nothing.
 */
import type { AggregateStore, ChangeCursor, Origin, Watermark } from '../../shared/core/index.ts';
import type { SourceSync } from './status-model.ts';

/** Pending changes are counted up to this many (a few pages), then reported as "at least". */
export const PENDING_CAP = 1_000;
const PAGE = 200;

/** The source's changes after a watermark, as far as they were counted. */
export interface PendingChanges {
  count: number;
  /** `updatedAt` of the oldest change after the watermark. */
  oldest?: number;
  /** True when counting stopped at the cap before the end. */
  capped: boolean;
}

/** The pair's line from what was read: lag is how old the oldest unpulled change is, 0 when none is pending. */
export function sourceSync(
  source: Origin,
  watermark: Watermark | undefined,
  pending: PendingChanges,
  now: number,
): SourceSync {
  return {
    source,
    // (0, '') is where a run that found the source empty left it: checked, but no change applied yet.
    ...(watermark && watermark.updatedAt > 0 ? { watermarkAt: watermark.updatedAt } : {}),
    ...(watermark?.checkedAt === undefined ? {} : { lastRunAt: watermark.checkedAt }),
    pending: pending.count,
    ...(pending.capped ? { pendingAtLeast: true } : {}),
    lagMs: pending.oldest === undefined ? 0 : Math.max(0, now - pending.oldest),
    retrying: watermark?.retry?.length ?? 0,
  };
}

/** Counts the source's changes after `watermark` (all of them before the first sync), up to {@link PENDING_CAP}. */
export async function pendingChanges(
  source: AggregateStore,
  watermark: Watermark | undefined,
): Promise<PendingChanges> {
  let cursor: ChangeCursor = watermark
    ? { updatedAt: watermark.updatedAt, id: watermark.id }
    : { updatedAt: Number.NEGATIVE_INFINITY, id: '' };
  let count = 0;
  let oldest: number | undefined;
  while (count < PENDING_CAP) {
    const page = await source.changes(cursor, Math.min(PAGE, PENDING_CAP - count));
    if (page.documents.length > 0) oldest ??= page.documents[0]!.updatedAt;
    count += page.documents.length;
    if (!page.next) return { count, ...(oldest !== undefined ? { oldest } : {}), capped: false };
    cursor = page.next;
  }
  return { count, ...(oldest !== undefined ? { oldest } : {}), capped: true };
}
