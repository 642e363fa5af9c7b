/**
 * Refreshes a window's summaries from slices of it as they stand in the same store — the writes that keep windows
 * derived (`window-document.ts`, `summary-tree.ts`). Ingest calls it after its slice writes, sync after each page;
 * both call it even when no slice changed, which is what repairs a summary left behind by a crash.
 *
 * The slices' entries go into the deepest summary that holds them, and each summary written passes its own new
 * entry up to its parent, to the window: every write is conditional on the revision read and an entry is replaced
 * only by a newer revision, so concurrent refreshes of one window commute. A summary that would hold more than
 * {@link FANOUT} slices splits: its child nodes are written first (from its entries, which are newer-wins merges
 * there too), then the summary itself, conditional on the revision it was split from. A writer that finds a
 * summary changed shape under it (split by another, or grown past the fan-out) starts again from the window.
 */
import { type UpdatePolicy, updateDocument } from './conditional-update.ts';
import { ConflictError } from './errors.ts';
import type { AggregateStore } from './ports.ts';
import { backoff } from './retry.ts';
import type { SliceDocument } from './slice-document.ts';
import { childIndex, childPosition, nodeShape, ROOT, summaryId, type TreePosition } from './summary-tree.ts';
import {
  FANOUT,
  nextSummary,
  nodeEntry,
  type SummaryDocument,
  type SummaryEntry,
  sliceEntry,
  takeNewer,
  type WindowDocument,
  type WindowKey,
  windowShape,
} from './window-document.ts';

export interface RefreshOutcome {
  /** The window as stored after the refresh. */
  window: WindowDocument;
  /** Whether the window document itself was written (its view may have changed). */
  windowWritten: boolean;
  /** Summary documents written, the window included. */
  writes: number;
  /** Conditional writes lost to another writer, and restarts after a summary changed shape. */
  conflicts: number;
  /** Other transient failures retried (throttling, unavailability). */
  retries: number;
}

interface Leaf {
  slice: number;
  entry: SummaryEntry;
}

interface Refresh {
  store: AggregateStore;
  key: WindowKey;
  policy: UpdatePolicy;
  outcome: Omit<RefreshOutcome, 'window'>;
}

/** Thrown inside a refresh when a summary's shape moved under it: the refresh starts again from the window. */
class Restructured extends Error {}

export async function refreshWindow(
  store: AggregateStore,
  current: WindowDocument | undefined,
  slices: readonly SliceDocument[],
  policy: UpdatePolicy,
): Promise<RefreshOutcome> {
  const key = slices[0]!;
  const leaves = slices.map((slice) => ({ slice: slice.slice, entry: sliceEntry(slice) }));
  const refresh: Refresh = {
    store,
    key,
    policy,
    outcome: { windowWritten: false, writes: 0, conflicts: 0, retries: 0 },
  };
  for (let attempt = 1; ; attempt++) {
    try {
      const window = (await refreshSummary(refresh, ROOT, current, leaves)) as WindowDocument;
      return { window, ...refresh.outcome };
    } catch (error) {
      if (!(error instanceof Restructured)) throw error;
      refresh.outcome.conflicts++;
      if (attempt >= policy.maxAttempts) {
        throw new ConflictError(
          `the summary of window ${summaryId(key, ROOT)} kept changing shape under ${attempt} refreshes`,
        );
      }
      await backoff(policy.clock, attempt, policy.backoff, policy.random);
      const id = summaryId(key, ROOT);
      current = (await store.read([id])).get(id) as WindowDocument | undefined;
    }
  }
}

/** Takes the leaves into the summary at `position` (read as `current`) and returns it as stored. */
async function refreshSummary(
  refresh: Refresh,
  position: TreePosition,
  current: SummaryDocument | undefined,
  leaves: readonly Leaf[],
): Promise<SummaryDocument> {
  if (current?.split) return refreshSplit(refresh, position, current, leaves);
  const updates = leaves.map((leaf) => [String(leaf.slice), leaf.entry] as const);
  const entries = takeNewer(current?.entries, updates);
  if (entries && Object.keys(entries).length > FANOUT) return split(refresh, position, current, entries);
  return write(refresh, position, current, (doc) => {
    if (doc?.split) throw new Restructured();
    const next = takeNewer(doc?.entries, updates);
    if (next && Object.keys(next).length > FANOUT) throw new Restructured();
    return next && nextSummary(doc, shapeAt(refresh.key, position), next, false, refresh.policy.clock.now());
  });
}

/** A split summary: the leaves go to the children that hold them, then the children's new entries come here. */
async function refreshSplit(
  refresh: Refresh,
  position: TreePosition,
  current: SummaryDocument,
  leaves: readonly Leaf[],
): Promise<SummaryDocument> {
  const children = await refreshChildren(refresh, position, leaves);
  // Conditional on the revision read before the children: a conflict re-reads it and takes the entries in again.
  return write(refresh, position, current, (doc) => {
    if (!doc?.split) throw new Restructured();
    const next = takeNewer(doc.entries, children);
    return next && nextSummary(doc, shapeAt(refresh.key, position), next, true, refresh.policy.clock.now());
  });
}

/**
 * Splits a summary that would hold more than {@link FANOUT} slices: its slices' entries (`entries`, the newest
 * known) go to child nodes, then it is rewritten with one entry per child, only if nobody wrote it meanwhile.
 */
async function split(
  refresh: Refresh,
  position: TreePosition,
  current: SummaryDocument | undefined,
  entries: Readonly<Record<string, SummaryEntry>>,
): Promise<SummaryDocument> {
  const leaves = Object.entries(entries).map(([slice, entry]) => ({ slice: Number(slice), entry }));
  const children = await refreshChildren(refresh, position, leaves);
  const revision = current?.revision;
  return write(refresh, position, current, (doc) => {
    if (doc?.revision !== revision) throw new Restructured();
    const now = refresh.policy.clock.now();
    return nextSummary(doc, shapeAt(refresh.key, position), Object.fromEntries(children), true, now);
  });
}

/** Refreshes each child of the summary at `position` that holds some of the leaves; returns their new entries. */
async function refreshChildren(
  refresh: Refresh,
  position: TreePosition,
  leaves: readonly Leaf[],
): Promise<[string, SummaryEntry][]> {
  const byChild = new Map<number, Leaf[]>();
  for (const leaf of leaves) {
    const index = childIndex(position, leaf.slice);
    const group = byChild.get(index);
    if (group) group.push(leaf);
    else byChild.set(index, [leaf]);
  }
  const ids = [...byChild.keys()].map((index) => summaryId(refresh.key, childPosition(position, index)));
  const found = await refresh.store.read(ids);
  return Promise.all(
    [...byChild].map(async ([index, group], i) => {
      const child = childPosition(position, index);
      const stored = await refreshSummary(
        refresh,
        child,
        found.get(ids[i]!) as SummaryDocument | undefined,
        group,
      );
      return [String(index), nodeEntry(stored)] as [string, SummaryEntry];
    }),
  );
}

async function write(
  refresh: Refresh,
  position: TreePosition,
  current: SummaryDocument | undefined,
  change: (current: SummaryDocument | undefined) => SummaryDocument | undefined,
): Promise<SummaryDocument> {
  const id = summaryId(refresh.key, position);
  const result = await updateDocument(refresh.store, id, current, change, refresh.policy);
  refresh.outcome.conflicts += result.conflicts;
  refresh.outcome.retries += result.retries;
  if (result.written) {
    refresh.outcome.writes++;
    if (position.depth === 0) refresh.outcome.windowWritten = true;
  }
  return result.document!;
}

function shapeAt(key: WindowKey, position: TreePosition) {
  return position.depth === 0 ? windowShape(key) : nodeShape(key, position);
}
