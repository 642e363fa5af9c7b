/**
 * Sets of sequence numbers as sorted, disjoint, non-adjacent closed intervals, flattened:
 * `[lo0, hi0, lo1, hi1, …]`. A contiguous stream of a million records is two numbers, so a part can carry the exact
 * identity of everything it counted and a merge can prove two parts disjoint or one contained in another.
 */
export type SeqSet = readonly number[];

export const EMPTY_SEQ_SET: SeqSet = [];

/** Builds a set from seqs in any order, duplicates allowed. */
export function seqSetOf(seqs: Iterable<number>): SeqSet {
  const sorted = Array.isArray(seqs) && isAscending(seqs) ? seqs : Float64Array.from(seqs).sort();
  const out: number[] = [];
  for (const s of sorted) appendInterval(out, s, s);
  return out;
}

/** Appends `[lo, hi]` to intervals sorted by start, merging it into the last one when they touch or overlap. */
function appendInterval(out: number[], lo: number, hi: number): void {
  const last = out.length - 1;
  if (last > 0 && lo <= out[last]! + 1) {
    if (hi > out[last]!) out[last] = hi;
  } else {
    out.push(lo, hi);
  }
}

/** Streams usually arrive in order; checking is far cheaper than sorting. */
function isAscending(seqs: readonly number[]): boolean {
  for (let i = 1; i < seqs.length; i++) if (seqs[i]! < seqs[i - 1]!) return false;
  return true;
}

/** Number of seqs in the set. */
export function seqSetSize(set: SeqSet): number {
  let n = 0;
  for (let i = 0; i < set.length; i += 2) n += set[i + 1]! - set[i]! + 1;
  return n;
}

/** Whether `seq` is in the set: a binary search over intervals. */
export function seqSetHas(set: SeqSet, seq: number): boolean {
  let lo = 0;
  let hi = set.length / 2 - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (seq < set[2 * mid]!) hi = mid - 1;
    else if (seq > set[2 * mid + 1]!) lo = mid + 1;
    else return true;
  }
  return false;
}

export function seqSetUnion(a: SeqSet, b: SeqSet): SeqSet {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    let lo: number;
    let hi: number;
    if (j >= b.length || (i < a.length && a[i]! <= b[j]!)) {
      lo = a[i]!;
      hi = a[i + 1]!;
      i += 2;
    } else {
      lo = b[j]!;
      hi = b[j + 1]!;
      j += 2;
    }
    appendInterval(out, lo, hi);
  }
  return out;
}

/** Whether the two sets share no seq. Linear in the number of intervals. */
export function seqSetsDisjoint(a: SeqSet, b: SeqSet): boolean {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i + 1]! < b[j]!) i += 2;
    else if (b[j + 1]! < a[i]!) j += 2;
    else return false;
  }
  return true;
}

export function seqSetsEqual(a: SeqSet, b: SeqSet): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** Whether every seq of `a` is in `b`. */
export function seqSetIsSubset(a: SeqSet, b: SeqSet): boolean {
  let j = 0;
  for (let i = 0; i < a.length; i += 2) {
    while (j < b.length && b[j + 1]! < a[i]!) j += 2;
    if (j >= b.length || b[j]! > a[i]! || b[j + 1]! < a[i + 1]!) return false;
  }
  return true;
}

/** The seqs of `a` that are not in `b`. Linear in the number of intervals. */
export function seqSetDifference(a: SeqSet, b: SeqSet): SeqSet {
  if (a.length === 0 || b.length === 0) return a;
  const out: number[] = [];
  let j = 0;
  for (let i = 0; i < a.length; i += 2) {
    let lo = a[i]!;
    const hi = a[i + 1]!;
    while (j < b.length && b[j + 1]! < lo) j += 2;
    // Cut every interval of `b` that overlaps [lo, hi] out of it, left to right.
    for (let k = j; k < b.length && b[k]! <= hi && lo <= hi; k += 2) {
      if (b[k]! > lo) out.push(lo, b[k]! - 1);
      lo = Math.max(lo, b[k + 1]! + 1);
    }
    if (lo <= hi) out.push(lo, hi);
  }
  return out;
}
