/**
 * How every store keeps the three kinds of document (`shared/core/slice-document.ts`, `window-document.ts`).
 *
 * - A **slice** keeps the fields stores query natively (`id`, `kind`, `series`, `window`, `start`, `slice`,
 *   `updatedAt`, `revision`) plus `body`: its parts and merged view as packed JSON text (`document-body.ts`), each
 *   part's seq set in the core's compact byte form, base64. JSON text because it round-trips every double exactly and identically in DynamoDB
 *   (whose numbers are decimal strings with a narrower range), Firestore and Cosmos, so the stores hold
 *   bit-identical parts; and because a store never needs to look inside a part.
 * - A **window** keeps, besides `body` (its summary entries and exact merged aggregate), the merged view as natively
 *   typed fields — `series`, `window`, `start`, `open`, `high`, `low`, `close`, `volume`, `vwap`, `count`, `exact`
 *   — for each cloud's own tools (consoles, PartiQL, BigQuery export, Cosmos SQL), and `seriesWindow`
 *   (`series|window`), the key of the range index that reads one series' windows of one size in `start` order.
 *   Only windows have `seriesWindow`, so the index holds nothing else.
 * - A **node** of a split window's summary tree (`summary-tree.ts`) keeps only the common fields and `body`: it is
 *   neither listed as a change (only slices are) nor read through the range index (only windows are).
 *
 * Every item is checked against {@link ITEM_LIMIT_BYTES} before it is sent, so no write that a store would refuse
 * for its size is ever built.
 */
import {
  type ExportedWindow,
  exportWindow,
  PermanentStoreError,
  type SliceDocument,
  type StoredDocument,
  type SummaryNode,
  type WindowDocument,
} from '../core/index.ts';
import {
  type SummaryContent,
  sliceBody,
  sliceFromBody,
  summaryBody,
  summaryFromBody,
} from './document-body.ts';

/** The bound every stored item is held to (DESIGN §2): under DynamoDB's 400 KB, which counts attribute names. */
export const ITEM_LIMIT_BYTES = 350_000;

interface CommonFields {
  id: string;
  series: string;
  window: string;
  start: number;
  updatedAt: number;
  revision: number;
  body: string;
}

export interface StoredSlice extends CommonFields {
  kind: 'slice';
  slice: number;
}

/** The merged view as native fields: the export format's numbers, and whether the window is exact. */
export type NativeWindowFields = Pick<
  ExportedWindow,
  'open' | 'high' | 'low' | 'close' | 'volume' | 'vwap' | 'count'
> & {
  exact: boolean;
};

export interface StoredWindow extends CommonFields, NativeWindowFields {
  kind: 'window';
  seriesWindow: string;
}

export interface StoredNode extends CommonFields {
  kind: 'node';
}

export type StoredFields = StoredSlice | StoredWindow | StoredNode;

/** The range index's key of a series' windows of one size. */
export function seriesWindowKey(series: string, window: string): string {
  return `${series}|${window}`;
}

export function toStored(doc: StoredDocument): StoredFields {
  const common = {
    id: doc.id,
    series: doc.series,
    window: doc.window,
    start: doc.start,
    updatedAt: doc.updatedAt,
    revision: doc.revision,
  };
  if (doc.kind === 'slice') {
    return { ...common, kind: 'slice', slice: doc.slice, body: sliceBody(doc.parts, doc.merged) };
  }
  const content: SummaryContent = {
    entries: doc.entries,
    ...(doc.split ? { split: true } : {}),
    merged: doc.merged,
  };
  if (doc.kind === 'node') {
    return {
      ...common,
      kind: 'node',
      body: summaryBody({ ...content, depth: doc.depth, prefix: doc.prefix }),
    };
  }
  const exported = exportWindow(doc);
  return {
    ...common,
    kind: 'window',
    seriesWindow: seriesWindowKey(doc.series, doc.window),
    open: exported.open,
    high: exported.high,
    low: exported.low,
    close: exported.close,
    volume: exported.volume,
    vwap: exported.vwap,
    count: exported.count,
    exact: doc.merged.exact,
    body: summaryBody(content),
  };
}

export function fromStored(fields: StoredFields): StoredDocument {
  const common = {
    id: fields.id,
    series: fields.series,
    window: fields.window,
    start: Number(fields.start),
    updatedAt: Number(fields.updatedAt),
    revision: Number(fields.revision),
  };
  if (fields.kind === 'slice') {
    return { ...common, kind: 'slice', slice: Number(fields.slice), ...sliceFromBody(fields.body) };
  }
  const { depth, prefix, ...summary } = summaryFromBody(fields.body);
  if (fields.kind === 'node') {
    return { ...common, kind: 'node', ...summary, depth: depth!, prefix: prefix! } satisfies SummaryNode;
  }
  return { ...common, kind: 'window', ...summary } satisfies WindowDocument;
}

/** Narrows a decoded document to a slice, for listings that hold only slices. */
export function asSlice(doc: StoredDocument): SliceDocument {
  if (doc.kind !== 'slice')
    throw new Error(`document ${doc.id} is a ${doc.kind}, where a slice was expected`);
  return doc;
}

/** Narrows a decoded document to a window, for the range index, which holds only windows. */
export function asWindow(doc: StoredDocument): WindowDocument {
  if (doc.kind !== 'window')
    throw new Error(`document ${doc.id} is a ${doc.kind}, where a window was expected`);
  return doc;
}

/**
 * Refuses, before anything is sent, an item over {@link ITEM_LIMIT_BYTES}. Its JSON length over-counts every
 * store's own measure (DynamoDB: names plus values; Firestore: names, values and a few bytes each; Cosmos: the
 * JSON), so an item that passes fits all three.
 */
export function checkItemSize(item: object, what: string): void {
  const bytes = Buffer.byteLength(JSON.stringify(item));
  if (bytes > ITEM_LIMIT_BYTES) {
    throw new PermanentStoreError(
      'too-large',
      `${what}: the item would take ${bytes} bytes, over the ${ITEM_LIMIT_BYTES} every stored item is held to; this is a bug in how documents are bounded, please report it with the document id.`,
    );
  }
}
