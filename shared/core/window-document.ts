/**
 * Window documents: one per `(series, window, start)` in every store, what readers read. A window's records live
 * in its slices (`slice-document.ts`); the window keeps a summary of them — each summarized part of the window's
 * records with the revision it was taken from — and its merged view, their combination. It is derived: every
 * store refreshes its own from its own slices after writing one (ingest) or merging one (sync), so it is never
 * replicated, and a refresh is idempotent — an entry is only ever replaced by one taken from a newer revision.
 *
 * A window whose records fall in at most {@link FANOUT} slices (any window of a stream whose ids span under a
 * million) summarizes its slices directly. Past that it is the root of a tree of summary nodes
 * (`summary-tree.ts`), each with at most {@link FANOUT} entries, so neither the window nor any node outgrows an
 * item whatever the ids.
 */
import {
  type Aggregate,
  combineAggregates,
  type ExportedWindow,
  emptyAggregate,
  exportAggregate,
} from './aggregate.ts';
import type { SliceDocument } from './slice-document.ts';

/** Entries per summary (a window or a node); a node with more slices below it splits into child nodes. */
export const FANOUT = 16;

export interface WindowKey {
  series: string;
  window: string;
  start: number;
}

/** What a summary has taken from one slice or child node below it. */
export interface SummaryEntry {
  /** The slice's or node's revision in this store when it was taken. */
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

interface SummaryFields extends WindowKey {
  id: string;
  /**
   * Keyed by slice number while the summary holds slices; once `split`, by child index (`summary-tree.ts`), each
   * entry the summary of a child node.
   */
  entries: Record<string, SummaryEntry>;
  /** Set once more than {@link FANOUT} slices fell below it; a summary never goes back. */
  split?: true;
  merged: WindowView;
  /** Writer's clock, epoch ms. */
  updatedAt: number;
  revision: number;
}

export interface WindowDocument extends SummaryFields {
  kind: 'window';
}

/**
 * A node of a split window's summary tree: it summarizes the window's slices congruent to `prefix` modulo
 * `FANOUT^depth`. Derived like the window, never replicated, never read by readers.
 */
export interface SummaryNode extends SummaryFields {
  kind: 'node';
  depth: number;
  prefix: number;
}

/** A window or one of its summary nodes. */
export type SummaryDocument = WindowDocument | SummaryNode;

/** Every kind of stored document: the port reads and writes each. */
export type StoredDocument = SliceDocument | SummaryDocument;

/**
 * `series|window|start`. The series alphabet `[A-Za-z0-9._:-]` and `|` are legal in DynamoDB keys, Firestore
 * document ids and Cosmos ids alike, and the id always contains `|`, so it is never a reserved Firestore id.
 */
export function windowId(key: WindowKey): string {
  return `${key.series}|${key.window}|${key.start}`;
}

/** The entry a summary takes from a slice: its merged view, at its revision. */
export function sliceEntry(slice: SliceDocument): SummaryEntry {
  return entryOf(slice.revision, slice.merged);
}

/** The entry a summary takes from a child node: its merged view, at its revision. */
export function nodeEntry(node: SummaryDocument): SummaryEntry {
  return entryOf(node.revision, node.merged);
}

function entryOf(revision: number, view: WindowView): SummaryEntry {
  return {
    revision,
    aggregate: view.aggregate,
    exact: view.exact,
    ...(view.conflict ? { conflict: view.conflict } : {}),
  };
}

/**
 * The entries with the given ones taken in where they are newer than what is held; `undefined` when none is, so
 * refreshing an up-to-date summary costs no write.
 */
export function takeNewer(
  held: Readonly<Record<string, SummaryEntry>> | undefined,
  updates: Iterable<readonly [string, SummaryEntry]>,
): Record<string, SummaryEntry> | undefined {
  const entries: Record<string, SummaryEntry> = { ...held };
  let changed = false;
  for (const [key, entry] of updates) {
    const current = entries[key];
    if (current && current.revision >= entry.revision) continue;
    entries[key] = entry;
    changed = true;
  }
  return changed ? entries : undefined;
}

/** The next revision of a summary document with these entries, its merged view recomputed. */
export function nextSummary<D extends SummaryDocument>(
  previous: D | undefined,
  shape: Omit<D, 'entries' | 'split' | 'merged' | 'updatedAt' | 'revision'>,
  entries: Record<string, SummaryEntry>,
  split: boolean,
  now: number,
): D {
  return {
    ...shape,
    entries,
    ...(split ? { split: true } : {}),
    merged: combineEntries(entries),
    // Never move backwards, even if this writer's clock is behind the last one's.
    updatedAt: previous ? Math.max(now, previous.updatedAt + 1) : now,
    revision: (previous?.revision ?? 0) + 1,
  } as D;
}

/** The window's shape fields: what a new revision of it keeps. */
export function windowShape(
  key: WindowKey,
): Omit<WindowDocument, 'entries' | 'split' | 'merged' | 'updatedAt' | 'revision'> {
  return { kind: 'window', id: windowId(key), series: key.series, window: key.window, start: key.start };
}

/**
 * A window summarizing these slices directly, taken in where newer (for tools and tests that build a small
 * window; ingest and sync refresh through `summary-refresh.ts`, which splits a window that outgrows {@link FANOUT}).
 */
export function withSlices(
  key: WindowKey,
  previous: WindowDocument | undefined,
  slices: readonly SliceDocument[],
  now: number,
): WindowDocument | undefined {
  const entries = takeNewer(
    previous?.entries,
    slices.map((slice) => [String(slice.slice), sliceEntry(slice)] as const),
  );
  return entries && nextSummary(previous, windowShape(key), entries, false, now);
}

/** A summary's view: the disjoint record sets below it combined (in key order, though the sums are exact). */
function combineEntries(entries: Readonly<Record<string, SummaryEntry>>): WindowView {
  let aggregate = emptyAggregate();
  let exact = true;
  let conflict: string | undefined;
  for (const key of Object.keys(entries).sort((a, b) => Number(a) - Number(b))) {
    const entry = entries[key]!;
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
