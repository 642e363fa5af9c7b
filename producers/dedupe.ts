/**
 * Which `(series, seq)` have been taken already, so a repeated record is sent once and counted. Each series keeps
 * its seqs as the core's interval set: a contiguous stream of any length is two numbers, so memory is bounded by
 * the gaps, not the records. {@link DistinctRecords} is the tracker itself (`tricloud dev` counts the distinct
 * records it produced with one); {@link SeenRecords} is the producer's, which also survives restarts.
 *
 * Durability follows the spool's: what is taken counts as *settled* once the chunk holding it is committed. The
 * spool keeps committed messages until it compacts, and compaction stores {@link SeenRecords.summary} in their
 * place, so a restart rebuilds the set from the summary plus the messages still in the journal. Takes not yet
 * settled stay out of the summary: their chunk may never be committed, and then the source reads them again.
 */
import {
  type SeqSet,
  seqSetDifference,
  seqSetHas,
  seqSetOf,
  seqSetSize,
  seqSetUnion,
} from '../shared/core/index.ts';

export class DistinctRecords {
  readonly #sets = new Map<string, number[]>();
  #size = 0;

  /** Distinct `(series, seq)` taken so far. */
  get size(): number {
    return this.#size;
  }

  /** Records `seq` of `series`; false when it was already taken. */
  take(series: string, seq: number): boolean {
    let set = this.#sets.get(series);
    if (set === undefined) {
      this.#sets.set(series, [seq, seq]);
    } else {
      const last = set.length - 1;
      // The in-order fast path: the next seq extends the last interval in place.
      if (seq === set[last]! + 1) set[last] = seq;
      else if (seq > set[last]! + 1) set.push(seq, seq);
      else if (seqSetHas(set, seq)) return false;
      else {
        set = seqSetUnion(set, [seq, seq]) as number[];
        this.#sets.set(series, set);
      }
    }
    this.#size++;
    return true;
  }

  /** Takes every seq of `set` for `series` at once (a summary read back). */
  takeAll(series: string, set: SeqSet): void {
    const before = this.#sets.get(series) ?? [];
    const after = seqSetUnion(before, set) as number[];
    this.#sets.set(series, after);
    this.#size += seqSetSize(after) - seqSetSize(before);
  }

  /** The seqs taken for a series. */
  seqs(series: string): SeqSet {
    return this.#sets.get(series) ?? [];
  }

  /** Every series taken from, with its seqs. */
  entries(): IterableIterator<[string, SeqSet]> {
    return this.#sets.entries();
  }
}

export class SeenRecords {
  readonly #taken = new DistinctRecords();
  /** Taken since the last {@link settle} (the open chunk's records), as two columns: no array per record. */
  readonly #unsettledSeries: string[] = [];
  readonly #unsettledSeqs: number[] = [];

  /** The set a {@link summary} describes (undefined: nothing taken yet). */
  static fromSummary(summary: string | undefined): SeenRecords {
    const seen = new SeenRecords();
    if (summary) {
      for (const [series, set] of Object.entries(JSON.parse(summary) as Record<string, number[]>))
        seen.#taken.takeAll(series, set);
    }
    return seen;
  }

  /** Records `seq` of `series`; false when it was already taken. */
  take(series: string, seq: number): boolean {
    if (!this.#taken.take(series, seq)) return false;
    this.#unsettledSeries.push(series);
    this.#unsettledSeqs.push(seq);
    return true;
  }

  /** Everything taken so far is in a committed chunk. */
  settle(): void {
    this.#unsettledSeries.length = 0;
    this.#unsettledSeqs.length = 0;
  }

  /** The settled sets as JSON text, `{"<series>":[lo,hi,…],…}`, for the spool to keep when it compacts. */
  summary(): string {
    const open = new Map<string, number[]>();
    this.#unsettledSeries.forEach((series, i) => {
      const seq = this.#unsettledSeqs[i]!;
      const seqs = open.get(series);
      if (seqs) seqs.push(seq);
      else open.set(series, [seq]);
    });
    const out: Record<string, SeqSet> = {};
    for (const [series, set] of this.#taken.entries()) {
      const seqs = open.get(series);
      const settled = seqs ? seqSetDifference(set, seqSetOf(seqs)) : set;
      if (settled.length > 0) out[series] = settled;
    }
    return JSON.stringify(out);
  }

  /** The seqs taken for a series (for tests and reports). */
  seqs(series: string): SeqSet {
    return this.#taken.seqs(series);
  }
}
