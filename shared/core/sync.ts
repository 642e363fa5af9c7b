/**
 * The sync use case (DESIGN §5): a target store pulls a source store's changed slices since its watermark for
 * that source, page by page, merges the remote parts into its own slices (per origin, the higher revision wins),
 * writes conditionally, refreshes its own window documents from them (windows are derived, never copied), then
 * advances the watermark. Each run re-reads an overlap behind the watermark, so a write
 * that committed late (a slow writer, clock skew) is still seen; merges are idempotent, so re-reads cost reads only.
 * A run stops at its time budget and the next run continues from the watermark.
 *
 * Cost grows with the number of changed documents, never with the size of the store.
 */
import pLimit from 'p-limit';
import { boundedStore } from './bounded-store.ts';
import { isAfter } from './change-order.ts';
import { type UpdatePolicy, updateDocument } from './conditional-update.ts';
import { isTransient } from './errors.ts';
import type { Origin } from './origin.ts';
import type { AggregateStore, ChangeCursor, Clock, Watermark } from './ports.ts';
import { type BackoffPolicy, DEFAULT_BACKOFF } from './retry.ts';
import { mergeRemoteParts, type SliceDocument } from './slice-document.ts';
import { refreshWindow } from './summary-refresh.ts';
import { type WindowDocument, windowId } from './window-document.ts';

export interface SyncOptions {
  /** Documents per page read from the source. */
  pageSize?: number;
  /** How far behind the watermark each run starts reading again, ms. */
  overlapMs?: number;
  /** Wall time a run may take, ms; keep it well below the platform's function timeout. */
  budgetMs?: number;
  concurrency?: number;
  maxAttempts?: number;
  backoff?: BackoffPolicy;
}

export interface SyncDeps {
  target: AggregateStore;
  sources: readonly { origin: Origin; store: AggregateStore }[];
  clock: Clock;
  random?: () => number;
}

export interface SourceReport {
  source: Origin;
  /** Source documents read. */
  read: number;
  /** Slices where the source brought a newer part. */
  merged: number;
  /** Slices written. */
  written: number;
  /** Window documents refreshed from the slices written (or repaired after an interrupted run). */
  windowsWritten: number;
  /** Windows written whose clouds hold different records under the same ids (`mergeParts`' conflict). */
  recordConflicts: number;
  conflicts: number;
  pages: number;
  /** now − the newest source `updatedAt` applied in this run; undefined when nothing was read. */
  lagMs?: number;
  /** False when the budget ran out before the source's last page. */
  complete: boolean;
  /**
   * Slices the target could not write this run for a reason of their own (too large, refused), with the reason:
   * passed over so the watermark moves on for the rest, and tried again on every later run until they go in.
   */
  skipped: { id: string; reason: string }[];
  watermark?: ChangeCursor;
  /** Set when this source could not be synced this run (down, throttled past retries). */
  error?: string;
}

export interface SyncReport {
  sources: SourceReport[];
  durationMs: number;
}

export const SYNC_DEFAULTS = {
  pageSize: 200,
  overlapMs: 60_000,
  budgetMs: 50_000,
  concurrency: 16,
  maxAttempts: 8,
};

/**
 * Pulls every source into the target at once, within one shared budget. A source that fails is reported and
 * skipped, and a slow one (down, timing out) holds up nobody: the other two clouds converge in the same run. Both
 * pulls may write the same document; the conditional write makes one of them re-read and merge again.
 */
export async function syncInto(deps: SyncDeps, options: SyncOptions = {}): Promise<SyncReport> {
  const opts = { ...SYNC_DEFAULTS, ...options };
  const started = deps.clock.now();
  const deadline = started + opts.budgetMs;
  const reports = await Promise.all(
    deps.sources.map((source) => pullSource(deps, source.origin, source.store, deadline, opts)),
  );
  return { sources: reports, durationMs: deps.clock.now() - started };
}

async function pullSource(
  deps: SyncDeps,
  origin: Origin,
  source: AggregateStore,
  deadline: number,
  opts: typeof SYNC_DEFAULTS & SyncOptions,
): Promise<SourceReport> {
  const { target, clock } = deps;
  const limit = pLimit(opts.concurrency);
  const policy: UpdatePolicy = {
    clock,
    random: deps.random ?? Math.random,
    maxAttempts: opts.maxAttempts,
    backoff: opts.backoff ?? DEFAULT_BACKOFF,
  };
  const report: SourceReport = {
    source: origin,
    read: 0,
    merged: 0,
    written: 0,
    windowsWritten: 0,
    recordConflicts: 0,
    conflicts: 0,
    pages: 0,
    complete: false,
    skipped: [],
  };
  let newestApplied: number | undefined;
  // Summary refreshes run inside `limit`'s slots, so their own store calls take slots of another limiter.
  const summaries = boundedStore(target, pLimit(opts.concurrency));
  const work: PageWork = { limit, summaries, policy, clock, report };
  try {
    const watermark = await target.readWatermark(origin);
    const retry = await retrySkipped(target, source, watermark?.retry ?? [], work);
    let stored: Watermark | undefined = watermark && { ...watermark, retry };
    if (watermark && !sameIds(retry, watermark.retry ?? [])) {
      await target.writeWatermark(origin, stored!);
      report.watermark = stored;
    }
    let cursor: ChangeCursor = watermark
      ? { updatedAt: watermark.updatedAt - opts.overlapMs, id: '' }
      : { updatedAt: Number.NEGATIVE_INFINITY, id: '' };
    while (clock.now() < deadline) {
      const page = await source.changes(cursor, opts.pageSize);
      report.pages++;
      report.read += page.documents.length;
      if (page.documents.length > 0) {
        const failed = await applyPage(target, page.documents, work);
        const last = page.documents[page.documents.length - 1]!;
        newestApplied = Math.max(newestApplied ?? last.updatedAt, last.updatedAt);
        const retrying = [...new Set([...(stored?.retry ?? []), ...failed])];
        if (retrying.length > MAX_RETRY) {
          throw new Error(
            `${retrying.length} slices of ${origin} cannot be written here (first: ${report.skipped[0]?.reason}); past ${MAX_RETRY} the watermark waits, so nothing is passed over unrecorded`,
          );
        }
        const reached: Watermark = { updatedAt: last.updatedAt, id: last.id, retry: retrying };
        // Only after every document of the page is merged (or recorded to retry), so a crash before this line
        // re-reads the page next run; and never backwards, since the overlap re-reads documents behind it.
        const advanced = !stored || isAfter(reached, stored);
        if (advanced || !sameIds(retrying, stored?.retry ?? [])) {
          stored = advanced ? reached : { ...stored!, retry: retrying };
          await target.writeWatermark(origin, stored);
          report.watermark = stored;
        }
      }
      if (!page.next) {
        report.complete = true;
        break;
      }
      cursor = page.next;
    }
    if (report.complete) await markChecked(target, origin, stored, clock, report);
  } catch (error) {
    report.error = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  }
  if (newestApplied !== undefined) report.lagMs = Math.max(0, clock.now() - newestApplied);
  return report;
}

/**
 * Records that a run read the source to its end: one small write per source per run, so the last run is known
 * even when nothing was new. Before the first change there is no position yet; `(0, '')` precedes every change.
 */
async function markChecked(
  target: AggregateStore,
  origin: Origin,
  stored: Watermark | undefined,
  clock: Clock,
  report: SourceReport,
): Promise<void> {
  const checked: Watermark = { ...(stored ?? { updatedAt: 0, id: '' }), checkedAt: clock.now() };
  await target.writeWatermark(origin, checked);
  report.watermark = checked;
}

/** Slices a watermark may list to retry; past this the sync stops advancing instead, and says why. */
export const MAX_RETRY = 1_000;

function sameIds(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((id, i) => id === b[i]);
}

/** Tries again the slices a previous run passed over; returns those that still cannot be written. */
async function retrySkipped(
  target: AggregateStore,
  source: AggregateStore,
  ids: readonly string[],
  work: PageWork,
): Promise<string[]> {
  if (ids.length === 0) return [];
  const found = await source.read(ids);
  const slices = [...found.values()].filter((d): d is SliceDocument => d.kind === 'slice');
  // A slice gone from the source has nothing left to bring.
  return slices.length ? applyPage(target, slices, work) : [];
}

interface PageWork {
  limit: ReturnType<typeof pLimit>;
  /** The target, for summary refreshes. */
  summaries: AggregateStore;
  policy: UpdatePolicy;
  clock: Clock;
  report: SourceReport;
}

/**
 * Merges a page of remote slices into the target, then refreshes the target's windows of those slices — every
 * one, merged or not, so a run that stopped between a slice and its window repairs the window when it re-reads
 * the page. A transient failure (the target down or throttled past its retries) throws, so the watermark stays
 * where it is and the page is read again; a slice that fails for a reason of its own is recorded in the report
 * and its id returned, so the rest move on and it is tried again next run.
 */
async function applyPage(
  target: AggregateStore,
  remotes: readonly SliceDocument[],
  work: PageWork,
): Promise<string[]> {
  const { limit, policy, clock, report } = work;
  const windowIds = [...new Set(remotes.map((d) => windowId(d)))];
  const local = await target.read([...remotes.map((d) => d.id), ...windowIds]);
  const failed: string[] = [];
  const passOver = (ids: readonly string[], error: unknown) => {
    if (isTransient(error)) throw error;
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    for (const id of ids) {
      failed.push(id);
      // A slice retried at the start of a run may come round again in the overlap: reported once.
      if (!report.skipped.some((s) => s.id === id)) report.skipped.push({ id, reason });
    }
  };
  const slices = await Promise.all(
    remotes.map((remote) =>
      limit(async () => {
        let merged = false;
        const outcome = await updateDocument<SliceDocument>(
          target,
          remote.id,
          local.get(remote.id) as SliceDocument | undefined,
          (current) => {
            const next = mergeRemoteParts(current, remote, clock.now());
            merged = next !== undefined;
            return next;
          },
          policy,
        );
        if (merged) report.merged++;
        if (outcome.written) report.written++;
        report.conflicts += outcome.conflicts;
        return outcome.document;
      }).catch((error: unknown) => passOver([remote.id], error)),
    ),
  );
  const byWindow = new Map<string, SliceDocument[]>();
  for (const slice of slices) {
    if (!slice) continue;
    const id = windowId(slice);
    byWindow.set(id, [...(byWindow.get(id) ?? []), slice]);
  }
  await Promise.all(
    [...byWindow].map(([id, windowSlices]) =>
      limit(async () => {
        const outcome = await refreshWindow(
          work.summaries,
          local.get(id) as WindowDocument | undefined,
          windowSlices,
          policy,
        );
        if (outcome.windowWritten) report.windowsWritten++;
        if (outcome.windowWritten && outcome.window.merged.conflict) report.recordConflicts++;
        report.conflicts += outcome.conflicts;
      }).catch((error: unknown) =>
        passOver(
          windowSlices.map((slice) => slice.id),
          error,
        ),
      ),
    ),
  );
  return failed;
}
