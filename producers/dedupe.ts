/**
 * Which `(series, seq)` a run has already taken, so a repeated record is sent once and counted. Each series keeps
 * its seqs as the core's interval set: a contiguous stream of any length is two numbers, so memory is bounded by
 * the gaps, not the records.
 */
import { type SeqSet, seqSetHas, seqSetUnion } from '../shared/core/index.ts';

export class SeenRecords {
  readonly #sets = new Map<string, number[]>();

  /** Records `seq` of `series`; false when it was already taken in this run. */
  take(series: string, seq: number): boolean {
    let set = this.#sets.get(series);
    if (set === undefined) {
      this.#sets.set(series, [seq, seq]);
      return true;
    }
    const last = set.length - 1;
    // The in-order fast path: the next seq extends the last interval in place.
    if (seq === set[last]! + 1) {
      set[last] = seq;
      return true;
    }
    if (seq > set[last]! + 1) {
      set.push(seq, seq);
      return true;
    }
    if (seqSetHas(set, seq)) return false;
    set = seqSetUnion(set, [seq, seq]) as number[];
    this.#sets.set(series, set);
    return true;
  }

  /** The seqs taken for a series (for tests and reports). */
  seqs(series: string): SeqSet {
    return this.#sets.get(series) ?? [];
  }
}
