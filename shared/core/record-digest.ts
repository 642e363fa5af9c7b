/**
 * An order-free digest of records' contents: each record `(seq, ts, value, qty)` hashed to 64 bits (two 32-bit
 * lanes, from the bits of its four doubles), and the hashes summed modulo 2^32 per lane. A sum does not depend on
 * order and two digests of disjoint sets add up to the digest of their union, so a part keeps one as it grows.
 * Two parts with the same seqs and different digests hold different records under the same ids: a conflict
 * (DESIGN §2: two records with one `(series, seq)` are bad input), which the merge reports instead of hiding.
 * Not cryptographic: it tells honest mistakes apart (a replayed file with other prices, two producers sharing
 * ids), not a forger.
 */
import type { DataRecord } from './record.ts';

/** Two uint32 lanes. */
export type RecordDigest = readonly [number, number];

export const EMPTY_DIGEST: RecordDigest = [0, 0];

const doubles = new Float64Array(4);
const words = new Uint32Array(doubles.buffer);

/** Adds one record's hash into `sum`, in place. The series is left out: a part holds one series. */
export function addToDigest(sum: [number, number], r: DataRecord): void {
  doubles[0] = r.seq;
  doubles[1] = r.ts;
  doubles[2] = r.value;
  doubles[3] = r.qty;
  let a = 0x9e3779b9;
  let b = 0x85ebca6b;
  for (let i = 0; i < words.length; i++) {
    a = Math.imul(a ^ words[i]!, 0xcc9e2d51);
    a = Math.imul((a << 15) | (a >>> 17), 0x1b873593);
    b = Math.imul(b ^ words[i]!, 0x27d4eb2f);
    b = Math.imul((b << 13) | (b >>> 19), 0x165667b1);
  }
  sum[0] = (sum[0] + finish(a)) >>> 0;
  sum[1] = (sum[1] + finish(b)) >>> 0;
}

export function combineDigests(x: RecordDigest, y: RecordDigest): RecordDigest {
  return [(x[0] + y[0]) >>> 0, (x[1] + y[1]) >>> 0];
}

export function sameDigest(x: RecordDigest, y: RecordDigest): boolean {
  return x[0] === y[0] && x[1] === y[1];
}

/** Murmur3's finaliser: every input bit reaches every output bit. */
function finish(h: number): number {
  let x = h ^ (h >>> 16);
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

export function digestOf(records: Iterable<DataRecord>): RecordDigest {
  const sum: [number, number] = [0, 0];
  for (const r of records) addToDigest(sum, r);
  return sum;
}
