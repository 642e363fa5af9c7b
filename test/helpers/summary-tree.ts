/**
 * Checks a store's summary trees (`shared/core/summary-tree.ts`) against its slices: every slice of a window is
 * summarized by exactly one entry, in the summary its position says, holding the slice's view; every split
 * summary's entries hold its children's views; no summary holds more than FANOUT entries. (Views, not revisions:
 * a test store's phantom conflicts move a revision without changing what a document holds.) What
 * "every store's windows hold its slices' latest views once quiet" (ARCHITECTURE, the convergence argument)
 * means for a tree.
 */
import {
  childIndex,
  childPosition,
  FANOUT,
  nodeEntry,
  ROOT,
  type SliceDocument,
  type StoredDocument,
  type SummaryDocument,
  type SummaryEntry,
  sliceEntry,
  summaryId,
  type TreePosition,
  type WindowKey,
  windowId,
} from '../../shared/core/index.ts';

/** Problems found, as sentences; empty when every tree matches its slices. */
export function summaryTreeProblems(docs: ReadonlyMap<string, StoredDocument>): string[] {
  const problems: string[] = [];
  const slicesByWindow = new Map<string, SliceDocument[]>();
  for (const doc of docs.values()) {
    if (doc.kind !== 'slice') continue;
    const id = windowId(doc);
    slicesByWindow.set(id, [...(slicesByWindow.get(id) ?? []), doc]);
  }
  for (const [id, slices] of slicesByWindow) {
    checkSummary(docs, slices[0]!, ROOT, slices, problems, id);
  }
  return problems;
}

function checkSummary(
  docs: ReadonlyMap<string, StoredDocument>,
  key: WindowKey,
  position: TreePosition,
  slices: readonly SliceDocument[],
  problems: string[],
  where: string,
): void {
  const doc = docs.get(summaryId(key, position)) as SummaryDocument | undefined;
  if (!doc) {
    problems.push(`${where}: no summary at depth ${position.depth} prefix ${position.prefix}`);
    return;
  }
  const keys = Object.keys(doc.entries);
  if (keys.length > FANOUT) problems.push(`${doc.id}: ${keys.length} entries, over ${FANOUT}`);
  if (!doc.split) {
    if (keys.length !== slices.length)
      problems.push(`${doc.id}: ${keys.length} entries for ${slices.length} slices`);
    for (const slice of slices) {
      if (!sameView(doc.entries[slice.slice], sliceEntry(slice))) {
        problems.push(`${doc.id}: entry of slice ${slice.slice} is not the slice's view`);
      }
    }
    return;
  }
  const byChild = new Map<number, SliceDocument[]>();
  for (const slice of slices) {
    const index = childIndex(position, slice.slice);
    byChild.set(index, [...(byChild.get(index) ?? []), slice]);
  }
  if (keys.length !== byChild.size)
    problems.push(`${doc.id}: ${keys.length} entries for ${byChild.size} children`);
  for (const [index, group] of byChild) {
    const child = childPosition(position, index);
    const node = docs.get(summaryId(key, child)) as SummaryDocument | undefined;
    if (node && !sameView(doc.entries[index], nodeEntry(node))) {
      problems.push(`${doc.id}: entry ${index} is not its child's view`);
    }
    checkSummary(docs, key, child, group, problems, doc.id);
  }
}

function sameView(held: SummaryEntry | undefined, latest: SummaryEntry): boolean {
  if (!held || held.revision > latest.revision) return false;
  const { revision: _a, ...a } = held;
  const { revision: _b, ...b } = latest;
  return JSON.stringify(a) === JSON.stringify(b);
}
