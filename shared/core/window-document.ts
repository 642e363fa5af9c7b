/**
 * Window documents (DESIGN §2): one per `(series, window, start)` in every store, holding each origin's part and
 * the merged view. Everything here is a pure function of its inputs, so all stores compute the same documents.
 */
import {
  type Aggregate,
  combineAggregates,
  type ExportedWindow,
  emptyAggregate,
  exportAggregate,
} from './aggregate.ts';
import { ORIGINS, type Origin } from './origin.ts';
import type { Part } from './part.ts';
import { EMPTY_SEQ_SET, type SeqSet, seqSetIsSubset, seqSetsDisjoint, seqSetUnion } from './seq-set.ts';

export interface WindowKey {
  series: string;
  window: string;
  start: number;
}

export type Parts = Partial<Record<Origin, Part>>;

export interface MergedView {
  aggregate: Aggregate;
  /** The origins whose parts were combined, in merge order. */
  origins: Origin[];
  /** False when two parts partially overlap: the merged view then holds the larger part, not every record. */
  exact: boolean;
}

export interface WindowDocument extends WindowKey {
  /** {@link documentId} of the key; safe in every store (no `/ \ ? #`, never `.` or `__x__`). */
  id: string;
  parts: Parts;
  merged: MergedView;
  /** Writer's clock, epoch ms; sync lists changes by it. */
  updatedAt: number;
  /** Document revision for optimistic concurrency: every write is conditional on the revision it read. */
  revision: number;
}

/**
 * `series|window|start`. The series alphabet `[A-Za-z0-9._:-]` and `|` are legal in DynamoDB keys, Firestore
 * document ids and Cosmos ids alike, and the id always contains `|`, so it is never a reserved Firestore id.
 */
export function documentId(key: WindowKey): string {
  return `${key.series}|${key.window}|${key.start}`;
}

/**
 * The merged view, a pure and deterministic function of the parts (DESIGN §2). Parts are taken largest first
 * (ties by origin order); a part disjoint from what is taken is combined, a part contained in it is skipped, and a
 * partial overlap is skipped and marks the view inexact, since aggregates cannot be subtracted.
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
  for (const { origin, part } of candidates) {
    if (seqSetsDisjoint(taken, part.seqs)) {
      aggregate = combineAggregates(aggregate, part.aggregate);
      taken = seqSetUnion(taken, part.seqs);
      origins.push(origin);
    } else if (!seqSetIsSubset(part.seqs, taken)) {
      exact = false;
    }
  }
  return { aggregate, origins, exact };
}

/** A document with the given parts, its merged view recomputed, one revision after `previous`. */
export function withParts(
  key: WindowKey,
  previous: WindowDocument | undefined,
  parts: Parts,
  now: number,
): WindowDocument {
  return {
    id: documentId(key),
    series: key.series,
    window: key.window,
    start: key.start,
    parts,
    merged: mergeParts(parts),
    // Never move backwards, even if this writer's clock is behind the last one's: sync reads by updatedAt.
    updatedAt: previous ? Math.max(now, previous.updatedAt + 1) : now,
    revision: (previous?.revision ?? 0) + 1,
  };
}

/**
 * Merges a replica's parts into a local document (DESIGN §5): per origin, the higher revision wins. Returns
 * `undefined` when the replica brings nothing new, so re-reading a document is free.
 */
export function mergeRemoteParts(local: WindowDocument | undefined, remote: WindowDocument, now: number) {
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

/** The document's merged view in the export format. */
export function exportDocument(doc: WindowDocument): ExportedWindow {
  return exportAggregate(doc.series, doc.window, doc.start, doc.merged.aggregate);
}
