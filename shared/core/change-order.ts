/**
 * The change order and the pages cut from it: every store lists slices by `(updatedAt, id)`, sync's cursors and
 * watermarks move along that order, and every page says where the next one starts the same way. One comparison
 * and one rule per kind of page, so no store and no use case can disagree with another on either.
 */
import type { ChangeCursor, ChangePage, WindowPage } from './ports.ts';
import type { SliceDocument } from './slice-document.ts';
import type { WindowDocument } from './window-document.ts';

/** Negative when `a` comes before `b` in the `(updatedAt, id)` change order, positive after, 0 at the same place. */
export function compareChanges(a: ChangeCursor, b: ChangeCursor): number {
  if (a.updatedAt !== b.updatedAt) return a.updatedAt < b.updatedAt ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Whether `a` comes after `b` in the change order. */
export function isAfter(a: ChangeCursor, b: ChangeCursor): boolean {
  return compareChanges(a, b) > 0;
}

/**
 * A page of slices in change order. When more may follow (the store filled the page, or said so), `next` is the
 * last document's place, and the next page lists what comes strictly after it; otherwise the page is the end.
 */
export function changePage(documents: SliceDocument[], more: boolean): ChangePage {
  const last = documents[documents.length - 1];
  return more && last ? { documents, next: { updatedAt: last.updatedAt, id: last.id } } : { documents };
}

/**
 * A page of windows in `start` order. When more may follow, `next` is the `from` of the next page: just after the
 * last window's start (starts are whole milliseconds, and one series has one window of a size per start).
 */
export function windowPage(windows: WindowDocument[], more: boolean): WindowPage {
  const last = windows[windows.length - 1];
  return more && last ? { windows, next: last.start + 1 } : { windows };
}
