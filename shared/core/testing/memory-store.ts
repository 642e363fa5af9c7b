/**
 * An in-memory {@link AggregateStore} and {@link DeadLetterSink} for core tests only — never a stand-in for a cloud
 * store, whose tests run against the local stack. It counts operations (to assert store work, not time) and can
 * be made to lose conditional writes to a phantom concurrent writer, to fail, or to be down.
 */
import { changePage, compareChanges, isAfter, windowPage } from '../change-order.ts';
import { ConflictError, UnavailableError } from '../errors.ts';
import { isOrigin, type Origin } from '../origin.ts';
import type {
  AggregateStore,
  ChangeCursor,
  ChangePage,
  DeadLetter,
  DeadLetterSink,
  Watermark,
  WindowPage,
  WindowRange,
} from '../ports.ts';
import type { SliceDocument } from '../slice-document.ts';
import type { StoredDocument, WindowDocument } from '../window-document.ts';

export interface StoreCounters {
  /** Documents read by id. */
  reads: number;
  readCalls: number;
  writes: number;
  conflicts: number;
  changeCalls: number;
  /** Documents returned by change listings. */
  listed: number;
  rangeCalls: number;
  /** Window documents returned by range reads: what a range index would read. */
  rangeRead: number;
}

export class MemoryStore implements AggregateStore, DeadLetterSink {
  readonly #docs = new Map<string, StoredDocument>();
  /** Slices in change order, kept between writes of a slice: listing stays cheap for stores of many slices. */
  #changeOrder: SliceDocument[] | undefined;

  /** What the store holds, by id; changed only through writes and {@link place}. */
  get docs(): ReadonlyMap<string, StoredDocument> {
    return this.#docs;
  }

  /** Puts a document as it is, with no revision check: for benchmarks that build a large store quickly. */
  place(doc: StoredDocument): void {
    this.#set(doc);
  }

  #set(doc: StoredDocument): void {
    if (doc.kind === 'slice' || this.#docs.get(doc.id)?.kind === 'slice') this.#changeOrder = undefined;
    this.#docs.set(doc.id, doc);
  }
  readonly deadLetters = new Map<string, DeadLetter>();
  readonly watermarks = new Map<Origin, Watermark>();
  readonly counters: StoreCounters = {
    reads: 0,
    readCalls: 0,
    writes: 0,
    conflicts: 0,
    changeCalls: 0,
    listed: 0,
    rangeCalls: 0,
    rangeRead: 0,
  };
  /** While true every call fails with {@link UnavailableError}, as a cloud that is down. */
  down = false;
  /** Documents this store refuses to write, and with what: a store that takes everything but them. */
  readonly refused = new Map<string, Error>();
  #conflictsToInject = 0;
  #failuresToInject: Error[] = [];
  #afterWrites: { count: number; action: () => void } | undefined;

  /** Documents of one kind held. */
  count(kind: StoredDocument['kind']): number {
    let n = 0;
    for (const doc of this.docs.values()) if (doc.kind === kind) n++;
    return n;
  }

  /** The next `n` conditional writes fail as if another writer had just bumped the document's revision. */
  injectConflicts(n: number): void {
    this.#conflictsToInject += n;
  }

  /** The next writes fail with these errors, in order, before touching the store. */
  injectFailures(...errors: Error[]): void {
    this.#failuresToInject.push(...errors);
  }

  /** Runs `action` once, right after `count` more writes succeed: a crash or outage between document writes. */
  afterWrites(count: number, action: () => void): void {
    this.#afterWrites = { count, action };
  }

  /** Cancels every injected fault that has not fired yet and brings the store up. */
  clearFaults(): void {
    this.#conflictsToInject = 0;
    this.#failuresToInject = [];
    this.#afterWrites = undefined;
    this.down = false;
  }

  async read(ids: readonly string[]): Promise<Map<string, StoredDocument>> {
    this.#checkUp();
    this.counters.readCalls++;
    const out = new Map<string, StoredDocument>();
    for (const id of ids) {
      this.counters.reads++;
      const doc = this.docs.get(id);
      if (doc) out.set(id, structuredClone(doc));
    }
    return out;
  }

  async write(doc: StoredDocument, expectedRevision: number): Promise<void> {
    this.#checkUp();
    const failure = this.#failuresToInject.shift() ?? this.refused.get(doc.id);
    if (failure) throw failure;
    const stored = this.docs.get(doc.id);
    if ((stored?.revision ?? 0) !== expectedRevision) {
      this.counters.conflicts++;
      throw new ConflictError(
        `document ${doc.id} is at revision ${stored?.revision ?? 0}, not ${expectedRevision}`,
      );
    }
    if (stored && this.#conflictsToInject > 0) {
      this.#conflictsToInject--;
      this.counters.conflicts++;
      // The phantom writer leaves the content alone but moves the revision, as a no-op concurrent update would.
      this.#set({ ...stored, revision: stored.revision + 1 } as StoredDocument);
      throw new ConflictError(`document ${doc.id} was changed by another writer`);
    }
    this.counters.writes++;
    this.#set(structuredClone(doc));
    if (this.#afterWrites && --this.#afterWrites.count === 0) {
      const { action } = this.#afterWrites;
      this.#afterWrites = undefined;
      action();
    }
  }

  async changes(since: ChangeCursor, limit: number): Promise<ChangePage> {
    this.#checkUp();
    this.counters.changeCalls++;
    this.#changeOrder ??= [...this.#docs.values()]
      .filter((d): d is SliceDocument => d.kind === 'slice')
      .sort(compareChanges);
    const order = this.#changeOrder;
    // The first slice after `since`, by binary search.
    let lo = 0;
    let hi = order.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (isAfter(order[mid]!, since)) hi = mid;
      else lo = mid + 1;
    }
    const documents = order.slice(lo, lo + limit).map((d) => structuredClone(d));
    this.counters.listed += documents.length;
    return changePage(documents, order.length - lo > limit);
  }

  /** A scan standing in for a range index: the counters record what an index would read. */
  async windows(range: WindowRange, limit: number): Promise<WindowPage> {
    this.#checkUp();
    this.counters.rangeCalls++;
    const within = [...this.docs.values()]
      .filter(
        (d): d is WindowDocument =>
          d.kind === 'window' &&
          d.series === range.series &&
          d.window === range.window &&
          d.start >= range.from &&
          d.start < range.to,
      )
      .sort((a, b) => a.start - b.start);
    const windows = within.slice(0, limit).map((d) => structuredClone(d));
    this.counters.rangeRead += windows.length;
    return windowPage(windows, within.length > limit);
  }

  async readWatermark(source: Origin): Promise<Watermark | undefined> {
    this.#checkUp();
    const watermark = this.watermarks.get(source);
    return watermark && structuredClone(watermark);
  }

  async writeWatermark(source: Origin, cursor: Watermark): Promise<void> {
    this.#checkUp();
    if (!isOrigin(source)) throw new Error(`unknown source ${source}`);
    this.watermarks.set(source, structuredClone(cursor));
  }

  async put(letters: readonly DeadLetter[]): Promise<void> {
    this.#checkUp();
    for (const letter of letters) this.deadLetters.set(letter.id, structuredClone(letter));
  }

  #checkUp(): void {
    if (this.down) throw new UnavailableError('the in-memory store is down (test injection)');
  }
}
