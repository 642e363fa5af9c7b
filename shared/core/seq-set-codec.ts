/**
 * A compact, deterministic byte form of a {@link SeqSet}, after Roaring bitmaps: seqs are grouped into containers
 * of 65,536 by their high bits, and each container is stored as runs (varint gap and length) or as an 8 KiB
 * bitmap, whichever is smaller. A contiguous stream costs a few bytes per container; every other seq costs
 * one bit per seq of the span (8 KiB per 65,536 seqs) instead of an interval per record; sparse seqs cost a few
 * bytes each.
 *
 * Written by hand: Roaring's JavaScript ports are 32-bit (our seqs reach 2^53), native, or WebAssembly several
 * times the size of this file, and a stored part needs one canonical byte form in all three stores.
 *
 * Layout: for each non-empty container in ascending order, `varint(high − previous high)` (the first counts from
 * −1), then a kind byte — `0`: `varint(runs)`, then per run `varint(gap)` `varint(length − 1)`, the gap counting
 * from the container's start for the first run and from two past the previous run's end after it; `1`: 8,192
 * bytes, bit `i` of byte `i >> 3` set when low bits `i` are in the set.
 */
import type { SeqSet } from './seq-set.ts';

const CONTAINER = 65_536;
const BITMAP_BYTES = CONTAINER / 8;
const RUNS = 0;
const BITMAP = 1;

/** Encodes a set; equal sets give equal bytes. */
export function encodeSeqSet(set: SeqSet): Uint8Array {
  const out = new ByteWriter();
  let previousHigh = -1;
  forEachContainer(set, (high, runs) => {
    out.varint(high - previousHigh);
    previousHigh = high;
    if (runsSize(runs) <= BITMAP_BYTES) {
      out.byte(RUNS);
      out.varint(runs.length / 2);
      let next = 0;
      for (let i = 0; i < runs.length; i += 2) {
        out.varint(runs[i]! - next);
        out.varint(runs[i + 1]! - runs[i]!);
        next = runs[i + 1]! + 2;
      }
    } else {
      out.byte(BITMAP);
      const bitmap = new Uint8Array(BITMAP_BYTES);
      for (let i = 0; i < runs.length; i += 2) {
        for (let low = runs[i]!; low <= runs[i + 1]!; low++) bitmap[low >> 3]! |= 1 << (low & 7);
      }
      out.bytes(bitmap);
    }
  });
  return out.finish();
}

/** Decodes what {@link encodeSeqSet} wrote. Throws on bytes it did not write. */
export function decodeSeqSet(bytes: Uint8Array): SeqSet {
  const reader = new ByteReader(bytes);
  const out: number[] = [];
  let high = -1;
  while (!reader.done()) {
    high += reader.varint();
    const base = high * CONTAINER;
    const kind = reader.byte();
    if (kind === RUNS) {
      const count = reader.varint();
      let next = 0;
      for (let r = 0; r < count; r++) {
        const lo = next + reader.varint();
        const hi = lo + reader.varint();
        append(out, base + lo, base + hi);
        next = hi + 2;
      }
    } else if (kind === BITMAP) {
      const bitmap = reader.bytes(BITMAP_BYTES);
      for (let low = 0; low < CONTAINER; low++) {
        if (bitmap[low >> 3]! & (1 << (low & 7))) append(out, base + low, base + low);
      }
    } else {
      throw new Error(`seq set bytes hold an unknown container kind ${kind}`);
    }
  }
  return out;
}

/** Bytes {@link encodeSeqSet} writes for the set, without writing them. */
export function encodedSeqSetSize(set: SeqSet): number {
  let size = 0;
  let previousHigh = -1;
  forEachContainer(set, (high, runs) => {
    size += varintSize(high - previousHigh) + 1 + Math.min(runsSize(runs), BITMAP_BYTES);
    previousHigh = high;
  });
  return size;
}

/** Calls `visit` per container with its runs as low-bit intervals `[lo, hi, …]`. */
function forEachContainer(set: SeqSet, visit: (high: number, runs: number[]) => void): void {
  let high = -1;
  let runs: number[] = [];
  for (let i = 0; i < set.length; i += 2) {
    let lo = set[i]!;
    const hi = set[i + 1]!;
    while (lo <= hi) {
      const h = Math.floor(lo / CONTAINER);
      const end = Math.min(hi, (h + 1) * CONTAINER - 1);
      if (h !== high) {
        if (runs.length) visit(high, runs);
        high = h;
        runs = [];
      }
      runs.push(lo - h * CONTAINER, end - h * CONTAINER);
      lo = end + 1;
    }
  }
  if (runs.length) visit(high, runs);
}

/** Bytes of a container's run form after its kind byte. */
function runsSize(runs: readonly number[]): number {
  let size = varintSize(runs.length / 2);
  let next = 0;
  for (let i = 0; i < runs.length; i += 2) {
    size += varintSize(runs[i]! - next) + varintSize(runs[i + 1]! - runs[i]!);
    next = runs[i + 1]! + 2;
  }
  return size;
}

function append(out: number[], lo: number, hi: number): void {
  const last = out.length - 1;
  if (last > 0 && lo <= out[last]! + 1) out[last] = Math.max(out[last]!, hi);
  else out.push(lo, hi);
}

/** LEB128 length of a non-negative safe integer (arithmetic, not bit operations: values reach 2^53). */
function varintSize(value: number): number {
  let size = 1;
  for (let v = value; v >= 128; v = Math.floor(v / 128)) size++;
  return size;
}

class ByteWriter {
  #buffer = new Uint8Array(64);
  #length = 0;

  byte(value: number): void {
    this.#reserve(1);
    this.#buffer[this.#length++] = value;
  }

  varint(value: number): void {
    let v = value;
    while (v >= 128) {
      this.byte((v % 128) | 128);
      v = Math.floor(v / 128);
    }
    this.byte(v);
  }

  bytes(values: Uint8Array): void {
    this.#reserve(values.length);
    this.#buffer.set(values, this.#length);
    this.#length += values.length;
  }

  finish(): Uint8Array {
    return this.#buffer.slice(0, this.#length);
  }

  #reserve(n: number): void {
    if (this.#length + n <= this.#buffer.length) return;
    const grown = new Uint8Array(Math.max(this.#buffer.length * 2, this.#length + n));
    grown.set(this.#buffer.subarray(0, this.#length));
    this.#buffer = grown;
  }
}

class ByteReader {
  readonly #bytes: Uint8Array;
  #offset = 0;

  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
  }

  done(): boolean {
    return this.#offset >= this.#bytes.length;
  }

  byte(): number {
    if (this.#offset >= this.#bytes.length) throw new Error('seq set bytes end in the middle of a value');
    return this.#bytes[this.#offset++]!;
  }

  varint(): number {
    let value = 0;
    let scale = 1;
    for (;;) {
      const b = this.byte();
      value += (b & 127) * scale;
      if (b < 128) return value;
      scale *= 128;
    }
  }

  bytes(n: number): Uint8Array {
    if (this.#offset + n > this.#bytes.length) throw new Error('seq set bytes end inside a bitmap');
    const out = this.#bytes.subarray(this.#offset, this.#offset + n);
    this.#offset += n;
    return out;
  }
}
