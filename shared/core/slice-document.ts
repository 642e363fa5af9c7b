/**
 * Slice documents: where parts live. A window's records are dealt to slices by their seq, one slice per block of
 * {@link SLICE_BLOCK} seqs (`slice = floor(seq / 65,536)`), and each slice document holds, per origin, the part of
 * the window's records in that block: its aggregate, its exact seq set, its revision. Every rule of DESIGN §2
 * holds per slice unchanged — single-writer parts, the merge, "higher revision wins".
 *
 * A slice is bounded by construction: a part's seqs lie in one block, so its seq set encodes to at most one
 * 8 KiB bitmap (`seq-set-codec.ts`), whatever the ids. A contiguous or gappy stream stays in one slice for 65,536
 * seqs at a time, so a batch of consecutive records touches one slice; however many slices scattered ids make,
 * the window's summary stays bounded too (`window-document.ts`, `summary-tree.ts`). The slice number is a pure
 * function of the seq, so every origin's part of a record is in the same slice on every cloud: the merge compares
 * like with like.
 */
import { type Aggregate, combineAggregates, emptyAggregate } from './aggregate.ts';
import { ORIGINS, type Origin } from './origin.ts';
import type { Part } from './part.ts';
import { EMPTY_DIGEST, sameDigest } from './record-digest.ts';
import {
  EMPTY_SEQ_SET,
  type SeqSet,
  seqSetIsSubset,
  seqSetsDisjoint,
  seqSetsEqual,
  seqSetUnion,
} from './seq-set.ts';
import { type WindowKey, windowId } from './window-document.ts';

/** Seqs per slice. Equal to the seq-set codec's container size, so a part's seqs are one container. */
export const SLICE_BLOCK = 65_536;

export interface SliceKey extends WindowKey {
  slice: number;
}

export type Parts = Partial<Record<Origin, Part>>;

export interface MergedView {
  aggregate: Aggregate;
  /** The origins whose parts were combined, in merge order. */
  origins: Origin[];
  /**
   * False when two parts partially overlap (the merged view then holds the larger part, not every record), or
   * when two hold the same seqs with different records (a conflict: it holds one of them).
   */
  exact: boolean;
  /** Set for a conflict: which origins disagree, in a sentence. */
  conflict?: string;
}

export interface SliceDocument extends SliceKey {
  kind: 'slice';
  /** {@link sliceId} of the key. */
  id: string;
  parts: Parts;
  merged: MergedView;
  /** Writer's clock, epoch ms; sync lists changes by it. */
  updatedAt: number;
  /** Document revision for optimistic concurrency: every write is conditional on the revision it read. */
  revision: number;
}

/** The slice of a seq: below 2^37 for every seq up to 2^53. */
export function sliceOf(seq: number): number {
  return Math.floor(seq / SLICE_BLOCK);
}

/** `series|window|start|slice`: the window's id and the slice number, legal in every store like it. */
export function sliceId(key: SliceKey): string {
  return `${windowId(key)}|${key.slice}`;
}

/**
 * The merged view, a pure and deterministic function of the parts (DESIGN §2). Parts are taken largest first
 * (ties by origin order); a part disjoint from what is taken is combined, a part contained in it is skipped, and a
 * partial overlap is skipped and marks the view inexact, since aggregates cannot be subtracted. A part with the
 * same seqs as a taken one but another digest of its records is a conflict: skipped, inexact, and named.
 */
export function mergeParts(parts: Parts): MergedView {
  const candidates = ORIGINS.flatMap((origin) => {
    const part = parts[origin];
    return part && part.aggregate.count > 0 ? [{ origin, part }] : [];
  }).sort((a, b) => b.part.aggregate.count - a.part.aggregate.count);
  let aggregate = emptyAggregate();
  let taken: SeqSet = EMPTY_SEQ_SET;
  const origins: Origin[] = [];
  let exact = true;
  let conflict: string | undefined;
  for (const { origin, part } of candidates) {
    if (seqSetsDisjoint(taken, part.seqs)) {
      aggregate = combineAggregates(aggregate, part.aggregate);
      taken = seqSetUnion(taken, part.seqs);
      origins.push(origin);
    } else if (!seqSetIsSubset(part.seqs, taken)) {
      exact = false;
    } else {
      const twin = origins.find((o) => seqSetsEqual(parts[o]!.seqs, part.seqs));
      if (twin && !sameDigest(parts[twin]!.digest ?? EMPTY_DIGEST, part.digest ?? EMPTY_DIGEST)) {
        exact = false;
        conflict ??= `${twin} and ${origin} hold the same ${part.aggregate.count} ids with different records`;
      }
    }
  }
  return { aggregate, origins, exact, ...(conflict ? { conflict } : {}) };
}

/** A slice with the given parts, its merged view recomputed, one revision after `previous`. */
export function withParts(
  key: SliceKey,
  previous: SliceDocument | undefined,
  parts: Parts,
  now: number,
): SliceDocument {
  return {
    kind: 'slice',
    id: sliceId(key),
    series: key.series,
    window: key.window,
    start: key.start,
    slice: key.slice,
    parts,
    merged: mergeParts(parts),
    // Never move backwards, even if this writer's clock is behind the last one's: sync reads by updatedAt.
    updatedAt: previous ? Math.max(now, previous.updatedAt + 1) : now,
    revision: (previous?.revision ?? 0) + 1,
  };
}

/**
 * Merges a replica's parts into a local slice (DESIGN §5): per origin, the higher revision wins. Returns
 * `undefined` when the replica brings nothing new, so re-reading a slice is free.
 */
export function mergeRemoteParts(
  local: SliceDocument | undefined,
  remote: SliceDocument,
  now: number,
): SliceDocument | undefined {
  const parts: Parts = { ...local?.parts };
  let changed = false;
  for (const origin of ORIGINS) {
    const theirs = remote.parts[origin];
    const ours = parts[origin];
    if (theirs && (!ours || theirs.revision > ours.revision)) {
      parts[origin] = theirs;
      changed = true;
    }
  }
  return changed ? withParts(remote, local, parts, now) : undefined;
}
