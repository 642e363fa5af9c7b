/**
 * A part: what one origin cloud has ingested into one slice of a window (DESIGN §2, `slice-document.ts`) — its
 * aggregate, the exact set of seqs it counted, and a revision only that origin's ingest increments. Parts have a single writer each, which is why
 * replicas can merge them without ever dropping a concurrent write (unlike last-writer-wins replication).
 */
import { type Aggregate, addRecord, combineAggregates, emptyAggregate, sealAggregate } from './aggregate.ts';
import type { DataRecord } from './record.ts';
import { addToDigest, combineDigests, EMPTY_DIGEST, type RecordDigest } from './record-digest.ts';
import { EMPTY_SEQ_SET, type SeqSet, seqSetHas, seqSetOf, seqSetUnion } from './seq-set.ts';

export interface Part {
  aggregate: Aggregate;
  seqs: SeqSet;
  /** Order-free digest of the records' contents (`record-digest.ts`): tells two parts with equal seqs apart. */
  digest: RecordDigest;
  revision: number;
}

export function emptyPart(): Part {
  return { aggregate: emptyAggregate(), seqs: EMPTY_SEQ_SET, digest: EMPTY_DIGEST, revision: 0 };
}

export interface PartUpdate {
  /** The part with the new records. */
  part: Part;
  /** Records counted now for the first time. */
  added: number;
  /** Records this part already held (redeliveries, duplicates within the batch). */
  skipped: number;
}

/**
 * Adds the records whose seqs the part does not hold yet. Returns `undefined` when nothing is new, so a
 * redelivered message costs a read and no write.
 */
export function addToPart(part: Part, records: readonly DataRecord[]): PartUpdate | undefined {
  const fresh = emptyAggregate();
  const digest: [number, number] = [0, 0];
  const seqs: number[] = [];
  // Streams mostly arrive in seq order: while they do, a record above the last one is new to this batch and
  // needs no lookup; only out-of-order records pay for the set.
  let seen: Set<number> | undefined;
  let highest = -1;
  for (const r of records) {
    if (r.seq <= highest) {
      seen ??= new Set(seqs);
      if (seen.has(r.seq)) continue;
    } else {
      highest = r.seq;
    }
    if (part.seqs.length > 0 && seqSetHas(part.seqs, r.seq)) continue;
    seen?.add(r.seq);
    seqs.push(r.seq);
    addRecord(fresh, r);
    addToDigest(digest, r);
  }
  if (seqs.length === 0) return undefined;
  return {
    part: {
      aggregate: combineAggregates(part.aggregate, sealAggregate(fresh)),
      seqs: seqSetUnion(part.seqs, seqSetOf(seqs)),
      digest: combineDigests(part.digest ?? EMPTY_DIGEST, digest),
      revision: part.revision + 1,
    },
    added: seqs.length,
    skipped: records.length - seqs.length,
  };
}

/** The part of exactly these records (distinct seqs), at a given revision: for tools and tests that build one. */
export function partOf(records: readonly DataRecord[], revision = 1): Part {
  return { ...addToPart(emptyPart(), records)!.part, revision };
}
