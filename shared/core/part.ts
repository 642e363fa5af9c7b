/**
 * A part: what one origin cloud has ingested into one slice of a window (DESIGN §2, `slice-document.ts`) — its
 * aggregate, the exact set of seqs it counted, and a revision only that origin's ingest increments. Parts have a single writer each, which is why
 * replicas can merge them without ever dropping a concurrent write (unlike last-writer-wins replication).
 */
import { type Aggregate, addRecord, combineAggregates, emptyAggregate, sealAggregate } from './aggregate.ts';
import type { DataRecord } from './record.ts';
import { addToDigest, combineDigests, EMPTY_DIGEST, type RecordDigest } from './record-digest.ts';
import { EMPTY_SEQ_SET, type SeqSet, seqSetHas, seqSetOf, seqSetUnion } from './seq-set.ts';
import { encodedSeqSetSize } from './seq-set-codec.ts';

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
  /** The part with the new records; absent when they were refused. */
  part?: Part;
  /** Records counted now for the first time. */
  added: number;
  /** Records this part already held (redeliveries, duplicates within the batch). */
  skipped: number;
  /** New records refused because the part's seq set would outgrow `seqBytesLimit`; they are not in `part`. */
  refused: DataRecord[];
  /** The encoded size the seq set would have had, when records were refused. */
  refusedSeqBytes?: number;
}

/**
 * Adds the records whose seqs the part does not hold yet. Returns `undefined` when nothing is new, so a
 * redelivered message costs a read and no write. When the seq set would take more than `seqBytesLimit` encoded
 * bytes, the new records are refused whole, so no stored item can outgrow its store.
 */
export function addToPart(
  part: Part,
  records: readonly DataRecord[],
  seqBytesLimit = Number.POSITIVE_INFINITY,
): PartUpdate | undefined {
  const fresh = emptyAggregate();
  const digest: [number, number] = [0, 0];
  const seqs: number[] = [];
  const taken: DataRecord[] = [];
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
    taken.push(r);
    addRecord(fresh, r);
    addToDigest(digest, r);
  }
  if (seqs.length === 0) return undefined;
  const union = seqSetUnion(part.seqs, seqSetOf(seqs));
  const skipped = records.length - seqs.length;
  if (Number.isFinite(seqBytesLimit)) {
    const size = encodedSeqSetSize(union);
    if (size > seqBytesLimit) return { added: 0, skipped, refused: taken, refusedSeqBytes: size };
  }
  return {
    part: {
      aggregate: combineAggregates(part.aggregate, sealAggregate(fresh)),
      seqs: union,
      digest: combineDigests(part.digest ?? EMPTY_DIGEST, digest),
      revision: part.revision + 1,
    },
    added: seqs.length,
    skipped,
    refused: [],
  };
}

/** The part of exactly these records (distinct seqs), at a given revision: for tools and tests that build one. */
export function partOf(records: readonly DataRecord[], revision = 1): Part {
  return { ...addToPart(emptyPart(), records)!.part!, revision };
}
