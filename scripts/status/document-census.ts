/**
 * Documents in one store: windows, slices, inexact windows and conflicts, and each series' span — counted from the
 * slices of the store's change order (the listing sync reads), since a slice carries its window's key and its own
 * merged view. The first count reads every slice, so it costs what the store holds; each later one reads only what
 * changed since (with a short overlap for writes that committed late), so `--watch` and the live page stay cheap.
 * A count still running when asked is awaited, never started twice.
 */
import {
  type AggregateStore,
  type ChangeCursor,
  type SliceDocument,
  windowId,
} from '../../shared/core/index.ts';
import type { DocumentSummary, SeriesSpan } from './status-model.ts';

/** How far behind the newest change each later count starts again. */
const OVERLAP_MS = 5_000;
const PAGE = 500;

/** What a slice says about its window. */
export interface SliceFacts {
  window: string;
  series: string;
  size: string;
  start: number;
  exact: boolean;
  conflict: boolean;
}

export function sliceFacts(doc: SliceDocument): SliceFacts {
  return {
    window: windowId(doc),
    series: doc.series,
    size: doc.window,
    start: doc.start,
    exact: doc.merged.exact,
    conflict: doc.merged.conflict !== undefined,
  };
}

/** Windows, inexact windows and series spans from every slice's facts: a window is inexact if any slice is. */
export function summarizeSlices(slices: Iterable<SliceFacts>, complete: boolean): DocumentSummary {
  const windows = new Set<string>();
  const inexact = new Set<string>();
  const conflicts = new Set<string>();
  const spans = new Map<string, SeriesSpan>();
  let count = 0;
  for (const s of slices) {
    count++;
    windows.add(s.window);
    if (!s.exact) inexact.add(s.window);
    if (s.conflict) conflicts.add(s.window);
    const key = `${s.series}|${s.size}`;
    const span = spans.get(key);
    if (span === undefined)
      spans.set(key, { series: s.series, window: s.size, first: s.start, last: s.start });
    else {
      span.first = Math.min(span.first, s.start);
      span.last = Math.max(span.last, s.start);
    }
  }
  const series = [...spans.values()].sort(
    (a, b) => a.series.localeCompare(b.series) || a.window.localeCompare(b.window),
  );
  return {
    windows: windows.size,
    slices: count,
    inexact: inexact.size,
    conflicts: conflicts.size,
    series,
    complete,
  };
}

export interface DocumentCensus {
  /** Reads what changed since the last count (everything the first time), then summarises. */
  count(): Promise<DocumentSummary>;
  /** The summary as far as counted, without reading. */
  current(): DocumentSummary;
}

export function documentCensus(store: AggregateStore): DocumentCensus {
  const slices = new Map<string, SliceFacts>();
  let newest = Number.NEGATIVE_INFINITY;
  let complete = false;
  let running: Promise<void> | undefined;
  const read = async () => {
    // The first listing resumes where an abandoned one stopped: its cursor is kept page by page.
    let cursor: ChangeCursor = { updatedAt: complete ? newest - OVERLAP_MS : newest, id: '' };
    for (;;) {
      const page = await store.changes(cursor, PAGE);
      for (const doc of page.documents) {
        slices.set(doc.id, sliceFacts(doc));
        newest = Math.max(newest, doc.updatedAt);
      }
      if (!page.next) break;
      cursor = page.next;
    }
    complete = true;
  };
  const current = () => summarizeSlices(slices.values(), complete);
  return {
    current,
    async count() {
      running ??= read().finally(() => {
        running = undefined;
      });
      await running;
      return current();
    },
  };
}
