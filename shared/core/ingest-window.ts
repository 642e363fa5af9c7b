/**
 * Ingest's store work for one window: add each slice group's new records to this origin's part of its slice (one
 * conditional write per slice that gained records), then refresh the window's summaries from the slices as stored
 * (`summary-refresh.ts`: the window, and the nodes of a window split into a tree). The window is refreshed even
 * when no slice changed, so a redelivery after a crash between the writes repairs it; an up-to-date window costs
 * no write.
 */
import { type UpdatePolicy, updateDocument } from './conditional-update.ts';
import type { DocumentGroup } from './ingest-batch.ts';
import type { IngestOutcome } from './ingest-outcome.ts';
import type { Origin } from './origin.ts';
import { addToPart, emptyPart, type PartUpdate } from './part.ts';
import type { AggregateStore } from './ports.ts';
import { type SliceDocument, sliceId, withParts } from './slice-document.ts';
import { refreshWindow } from './summary-refresh.ts';
import type { StoredDocument, WindowDocument } from './window-document.ts';

export interface WindowWork {
  /** The store, its reads and writes bounded in number at once for the whole invocation. */
  store: AggregateStore;
  origin: Origin;
  policy: UpdatePolicy;
  /** What the invocation's batched read found, by id. */
  stored: ReadonlyMap<string, StoredDocument>;
  outcome: IngestOutcome;
  now: () => number;
}

export async function ingestWindow(work: WindowWork, windowId: string, groups: readonly DocumentGroup[]) {
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
    outcome.report.writes += result.writes;
    if (result.windowWritten && result.window.merged.conflict) outcome.report.recordConflicts++;
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
        update = addToPart(current?.parts[origin] ?? emptyPart(), group.records);
        if (!update) return undefined;
        return withParts(group.key, current, { ...current?.parts, [origin]: update.part }, work.now());
      },
      work.policy,
    );
    outcome.report.conflicts += result.conflicts;
    outcome.report.retries += result.retries;
    if (result.written) outcome.report.writes++;
    outcome.report.added += update?.added ?? 0;
    outcome.report.skipped += update?.skipped ?? group.records.length;
    return result.document;
  } catch (error) {
    outcome.report.failedDocuments++;
    outcome.fail(group.messageIds, error);
    return undefined;
  }
}
