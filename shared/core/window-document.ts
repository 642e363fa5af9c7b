/**
 * Window documents: one per `(series, window, start)` in every store, what readers read. A window's records live
 * in its slices (`slice-document.ts`); the window document keeps each slice's merged aggregate with the slice
 * revision it was taken from, and the window's merged view, their combination. It is derived: every store
 * refreshes its own from its own slices after writing one (ingest) or merging one (sync), so it is never
 * replicated, and a refresh is idempotent — an entry is only ever replaced by one from a newer slice revision.
 *
 * At most 64 entries of one aggregate each, so the document stays a few kilobytes whatever the window holds.
 */
import {
  type Aggregate,
  combineAggregates,
  type ExportedWindow,
  emptyAggregate,
  exportAggregate,
} from './aggregate.ts';
import type { SliceDocument } from './slice-document.ts';

export interface WindowKey {
  series: string;
  window: string;
  start: number;
}

/** What the window has taken from one of its slices. */
export interface SliceSummary {
  /** The slice document's revision in this store when it was taken. */
  revision: number;
  aggregate: Aggregate;
  exact: boolean;
  conflict?: string;
}

export interface WindowView {
  aggregate: Aggregate;
  /** False when any slice's parts partially overlap or conflict (see `mergeParts`). */
  exact: boolean;
  /** The first slice's conflict, if any holds one. */
  conflict?: string;
}

export interface WindowDocument extends WindowKey {
  kind: 'window';
  /** {@link windowId} of the key; safe in every store (no `/ \ ? #`, never `.` or `__x__`). */
  id: string;
  /** Per slice number. */
  slices: Record<string, SliceSummary>;
  merged: WindowView;
  /** Writer's clock, epoch ms. */
  updatedAt: number;
  revision: number;
}

/** Both kinds of stored document: the port reads and writes either. */
export type StoredDocument = SliceDocument | WindowDocument;

/**
 * `series|window|start`. The series alphabet `[A-Za-z0-9._:-]` and `|` are legal in DynamoDB keys, Firestore
 * document ids and Cosmos ids alike, and the id always contains `|`, so it is never a reserved Firestore id.
 */
export function windowId(key: WindowKey): string {
  return `${key.series}|${key.window}|${key.start}`;
}

/**
 * The window with the given slices' merged views taken in, where they are newer than what it holds; `undefined`
 * when none is, so refreshing an up-to-date window costs no write.
 */
export function withSlices(
  key: WindowKey,
  previous: WindowDocument | undefined,
  slices: readonly SliceDocument[],
  now: number,
): WindowDocument | undefined {
  const entries: Record<string, SliceSummary> = { ...previous?.slices };
  let changed = false;
  for (const slice of slices) {
    const held = entries[slice.slice];
    if (held && held.revision >= slice.revision) continue;
    entries[slice.slice] = {
      revision: slice.revision,
      aggregate: slice.merged.aggregate,
      exact: slice.merged.exact,
      ...(slice.merged.conflict ? { conflict: slice.merged.conflict } : {}),
    };
    changed = true;
  }
  if (!changed) return undefined;
  return {
    kind: 'window',
    id: windowId(key),
    series: key.series,
    window: key.window,
    start: key.start,
    slices: entries,
    merged: combineSlices(entries),
    updatedAt: previous ? Math.max(now, previous.updatedAt + 1) : now,
    revision: (previous?.revision ?? 0) + 1,
  };
}

/** The window's view: its slices' disjoint record sets combined (in slice order, though the sums are exact). */
function combineSlices(entries: Readonly<Record<string, SliceSummary>>): WindowView {
  let aggregate = emptyAggregate();
  let exact = true;
  let conflict: string | undefined;
  for (const slice of Object.keys(entries).sort((a, b) => Number(a) - Number(b))) {
    const entry = entries[slice]!;
    aggregate = combineAggregates(aggregate, entry.aggregate);
    exact &&= entry.exact;
    conflict ??= entry.conflict;
  }
  return { aggregate, exact, ...(conflict ? { conflict } : {}) };
}

/**
 * The window's merged view in the export format; an inexact window says so (`exact: false`, and the conflict
 * when there is one), so an export, `verify` and a reader never take it for the exact aggregate.
 */
export function exportWindow(doc: WindowDocument): ExportedWindow {
  const exported = exportAggregate(doc.series, doc.window, doc.start, doc.merged.aggregate);
  if (doc.merged.exact) return exported;
  return { ...exported, exact: false, ...(doc.merged.conflict ? { conflict: doc.merged.conflict } : {}) };
}
