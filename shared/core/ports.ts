/**
 * The ports the use cases need, kept as small as a store allows: adapters read, conditionally write, list changes
 * and read a range; every decision lives in the core. Adapters translate what the core must act on into its errors
 * (`errors.ts`: conflict, throttled, unavailable, permanent); anything else they pass on as it is, and the core
 * treats it as not worth retrying.
 */
import type { Origin } from './origin.ts';
import type { SliceDocument } from './slice-document.ts';
import type { StoredDocument, WindowDocument } from './window-document.ts';

/** A position in a store's change order: documents sort by `(updatedAt, id)`. */
export interface ChangeCursor {
  updatedAt: number;
  id: string;
}

/** Where a target stands in a source's change order, and what it must try again. */
export interface Watermark extends ChangeCursor {
  /** Slices of the source the target could not write for good reasons of their own: tried again every run. */
  retry?: string[];
  /**
   * When a run last read the source to its end, on the target's clock: the last sync run, which a watermark's
   * position cannot tell (a run that finds nothing new moves nothing). Operators read it (`tricloud status`).
   */
  checkedAt?: number;
}

export interface ChangePage {
  /** Slice documents strictly after the cursor in `(updatedAt, id)` order, at most `limit`. */
  documents: SliceDocument[];
  /** Where the next page starts; absent when this page reached the end. */
  next?: ChangeCursor;
}

/** One series' windows of one size whose start is in `[from, to)`. */
export interface WindowRange {
  series: string;
  window: string;
  from: number;
  to: number;
}

export interface WindowPage {
  /** Window documents in `start` order, at most `limit`. */
  windows: WindowDocument[];
  /** The `from` of the next page; absent when this page reached `to`. */
  next?: number;
}

export interface AggregateStore {
  /** Reads documents of either kind by id; missing ids are absent from the map. Adapters batch as they can. */
  read(ids: readonly string[]): Promise<Map<string, StoredDocument>>;
  /**
   * Writes a document only if the stored revision is still `expectedRevision` (0: only if it does not exist).
   * @throws ConflictError when another writer got there first.
   * @throws PermanentStoreError when the store refuses it for good (an adapter refuses to send an item over its
   *   store's size limit).
   */
  write(doc: StoredDocument, expectedRevision: number): Promise<void>;
  /** Lists slice documents changed after `since`, in `(updatedAt, id)` order, without scanning the store. */
  changes(since: ChangeCursor, limit: number): Promise<ChangePage>;
  /** Reads a range of one series' windows through the store's range index: cost follows the windows returned. */
  windows(range: WindowRange, limit: number): Promise<WindowPage>;
  /** The sync watermark this store keeps for a source (DESIGN §5), or undefined before the first sync. */
  readWatermark(source: Origin): Promise<Watermark | undefined>;
  writeWatermark(source: Origin, watermark: Watermark): Promise<void>;
}

/** Something that could not be aggregated, kept with its reason and original payload so it can be replayed. */
export interface DeadLetter {
  /** Deterministic (`<message id>` or `<message id>#<row>`), so a redelivery overwrites instead of duplicating. */
  id: string;
  origin: Origin;
  messageId: string;
  batchId?: string;
  /** Index of the row in the message, when one record was rejected. */
  row?: number;
  /** A sentence a person can act on. */
  reason: string;
  /** The original bytes as text: the whole message, or the row's JSON. */
  payload: string;
  at: number;
}

export interface DeadLetterSink {
  put(letters: readonly DeadLetter[]): Promise<void>;
}

/** Time, injected so the core does no I/O and tests are deterministic. */
export interface Clock {
  now(): number;
  /** Resolves after `ms`, or as soon as `signal` aborts: a wait that no longer matters frees its timer. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}
