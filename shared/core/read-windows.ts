/**
 * The read use case (DESIGN §10): one series' windows of one size with `start` in `[from, to)`, in `start` order,
 * a page at a time, through the store's range index — the same answer from every cloud. Each window is the export
 * format (DESIGN §2) plus `exact`, so a reader never takes an inexact window for the exact aggregate.
 *
 * Parameters are checked here, once for every entry point (the CLI, the three read functions, the client), and a
 * bad one is refused with a sentence that names it and the fix.
 */
import type { ExportedWindow } from './aggregate.ts';
import { TricloudError } from './errors.ts';
import type { AggregateStore } from './ports.ts';
import { SERIES_PATTERN } from './record-schemas.ts';
import { parseWindow } from './window.ts';
import { exportWindow } from './window-document.ts';

/** Windows per page unless asked: a day of `1m` windows is under three pages. */
export const DEFAULT_PAGE = 500;
export const MAX_PAGE = 1_000;

export interface WindowQuery {
  series: string;
  /** A window size as configured, e.g. `1m`. */
  window: string;
  /** Epoch ms, inclusive. */
  from: number;
  /** Epoch ms, exclusive. */
  to: number;
  /** Windows per page, 1 to {@link MAX_PAGE}. */
  limit?: number;
  /** The `next` of the previous page. */
  next?: string;
}

/** A window as read: the export format, with `exact` always present. */
export type ReadWindow = Omit<ExportedWindow, 'exact'> & { exact: boolean };

export interface WindowsPage {
  windows: ReadWindow[];
  /** Pass as `next` for the following page; absent on the last. */
  next?: string;
}

/** A query parameter that cannot be served, named, with what to send instead. */
export class QueryError extends TricloudError {
  readonly parameter: string;
  constructor(parameter: string, message: string) {
    super(message);
    this.name = 'QueryError';
    this.parameter = parameter;
  }
}

/** Checks a query; throws a {@link QueryError} naming the first bad parameter. */
export function checkQuery(query: WindowQuery): Required<Omit<WindowQuery, 'next'>> & { next?: string } {
  if (!SERIES_PATTERN.test(query.series)) {
    throw new QueryError(
      'series',
      `series must be 1-128 characters of A-Z a-z 0-9 . _ : -, got ${JSON.stringify(query.series)}`,
    );
  }
  try {
    parseWindow(query.window);
  } catch (error) {
    throw new QueryError('window', `window: ${(error as Error).message}`);
  }
  for (const name of ['from', 'to'] as const) {
    if (!Number.isSafeInteger(query[name]) || query[name] < 0) {
      throw new QueryError(
        name,
        `${name} must be a time: ISO 8601 (2026-11-27T09:00:00Z) or epoch milliseconds, got ${query[name]}`,
      );
    }
  }
  if (query.from >= query.to) {
    throw new QueryError(
      'to',
      `to must be after from (the range is [from, to)); got from ${query.from}, to ${query.to}`,
    );
  }
  const limit = query.limit ?? DEFAULT_PAGE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) {
    throw new QueryError('limit', `limit must be a whole number from 1 to ${MAX_PAGE}, got ${query.limit}`);
  }
  if (query.next !== undefined && !/^\d{1,16}$/.test(query.next)) {
    throw new QueryError('next', 'next must be the value a previous page returned; start again without it');
  }
  return { ...query, limit };
}

/** Reads one page of a query from a store. */
export async function readWindows(store: AggregateStore, query: WindowQuery): Promise<WindowsPage> {
  const q = checkQuery(query);
  const from = q.next === undefined ? q.from : Math.max(q.from, Number(q.next));
  if (from >= q.to) return { windows: [] };
  const page = await store.windows({ series: q.series, window: q.window, from, to: q.to }, q.limit);
  const windows = page.windows.map((doc) => ({ ...exportWindow(doc), exact: doc.merged.exact }));
  return page.next === undefined ? { windows } : { windows, next: String(page.next) };
}
