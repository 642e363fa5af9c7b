/**
 * Ingest's store work for one window document: add each slice group's new records to this origin's part of its
 * slice (one conditional write per slice that gained records), then refresh the window document from the slices
 * as stored (one more). The window is refreshed even when no slice changed, so a redelivery after a crash between
 * the two writes repairs it; an up-to-date window costs no write.
 */
import { refreshWindow, type UpdatePolicy, updateDocument } from './conditional-update.ts';
import { rowOf } from './envelope.ts';
import type { DecodedInbound } from './ingest-batch.ts';
import { type DocumentGroup, jsonText, ROW_REF_SCALE, rowLetter } from './ingest-batch.ts';
import type { IngestOutcome } from './ingest-outcome.ts';
import type { Origin } from './origin.ts';
import { addToPart, emptyPart, type PartUpdate } from './part.ts';
import type { AggregateStore, DeadLetter } from './ports.ts';
import { PART_SEQ_BYTES_LIMIT, type SliceDocument, sliceId, withParts } from './slice-document.ts';
import type { StoredDocument, WindowDocument } from './window-document.ts';

export interface WindowWork {
  store: AggregateStore;
  origin: Origin;
  policy: UpdatePolicy;
  /** What the invocation's batched read found, by id. */
  stored: ReadonlyMap<string, StoredDocument>;
  messages: readonly DecodedInbound[];
  outcome: IngestOutcome;
  /** Rows refused for a full slice, to dead-letter with the rest of the invocation's letters. */
  refusedLetters: DeadLetter[];
  now: () => number;
}

export async function ingestWindow(work: WindowWork, windowId: string, groups: readonly DocumentGroup[]) {
  // At most 64 slices per window, so at most 64 writes in flight here.
  const slices = await Promise.all(groups.map((group) => ingestSlice(work, group)));
  const stored = slices.filter((s): s is SliceDocument => s !== undefined);
  if (stored.length === 0) return;
  const { outcome } = work;
  try {
    const result = await refreshWindow(
      work.store,
      work.stored.get(windowId) as WindowDocument | undefined,
      stored,
      work.policy,
    );
    outcome.report.conflicts += result.conflicts;
    outcome.report.retries += result.retries;
    if (result.written) outcome.report.writes++;
    if (result.written && result.document?.merged.conflict) outcome.report.recordConflicts++;
  } catch (error) {
    outcome.report.failedDocuments++;
    outcome.fail(
      groups.flatMap((g) => g.messageIds),
      error,
    );
  }
}

/** Adds a group's records to this origin's part of its slice; returns the slice as stored, or undefined. */
async function ingestSlice(work: WindowWork, group: DocumentGroup): Promise<SliceDocument | undefined> {
  const { outcome, origin } = work;
  const id = sliceId(group.key);
  let update: PartUpdate | undefined;
  try {
    const result = await updateDocument<SliceDocument>(
      work.store,
      id,
      work.stored.get(id) as SliceDocument | undefined,
      (current) => {
        // Re-computed on every attempt: after a conflict the part may already hold some of these seqs.
        update = addToPart(current?.parts[origin] ?? emptyPart(), group.records, PART_SEQ_BYTES_LIMIT);
        if (!update?.part) return undefined;
        return withParts(group.key, current, { ...current?.parts, [origin]: update.part }, work.now());
      },
      work.policy,
    );
    outcome.report.conflicts += result.conflicts;
    outcome.report.retries += result.retries;
    if (result.written) outcome.report.writes++;
    outcome.report.added += update?.added ?? 0;
    outcome.report.skipped += update?.skipped ?? group.records.length;
    if (update?.refused.length) refuse(work, group, update);
    return result.document;
  } catch (error) {
    outcome.report.failedDocuments++;
    outcome.fail(group.messageIds, error);
    return undefined;
  }
}

/** Dead-letters the records a full slice refused, each with the reason and its original row. */
function refuse(work: WindowWork, group: DocumentGroup, update: PartUpdate): void {
  const { key } = group;
  const reason =
    `the ${key.window} window of ${key.series} starting at ${key.start} cannot take these ids: ${work.origin}'s ` +
    `set of ids in its slice ${key.slice} would take ${update.refusedSeqBytes} bytes, over the ` +
    `${PART_SEQ_BYTES_LIMIT} that keep every stored item under 350 KB. Ids this scattered need a smaller window ` +
    '(TRICLOUD_WINDOWS); replay these letters after changing it.';
  const refs = new Map(group.records.map((record, i) => [record, group.rowRefs[i]!]));
  for (const record of update.refused) {
    const ref = refs.get(record)!;
    const message = work.messages[Math.floor(ref / ROW_REF_SCALE)]!;
    const row = ref % ROW_REF_SCALE;
    const letter = rowLetter(
      work.origin,
      message.id,
      message.batchId,
      row,
      reason,
      jsonText(rowOf(record)),
      work.now(),
    );
    work.refusedLetters.push({ ...letter, id: `${letter.id}@${key.window}` });
  }
  work.outcome.report.refused += update.refused.length;
}
