/**
 * Where a window's summaries sit (`window-document.ts`). A window summarizes its slices directly until more than
 * {@link FANOUT} fall in it; it then splits, and its entries summarize child nodes instead, child `i` holding the
 * slices whose number has digit `i` in base {@link FANOUT} at the window's depth — and so on down, a node splitting
 * the same way. A node at depth `d` holds the slices congruent to its `prefix` modulo `FANOUT^d`.
 *
 * Digits are taken from the lowest up, so a stream's consecutive slices fall in different children and a
 * contiguous stream keeps every node nearly empty. Slice numbers are below 2^37 (`seq / 65,536`), so a node at
 * depth 10 (`FANOUT^10 = 2^40`) holds one slice at most: no path is longer than that, and each summary holds at
 * most {@link FANOUT} entries. The shape is each store's own — summaries are derived, never replicated — and a
 * summary only ever goes from holding slices to holding nodes, never back.
 */
import { FANOUT, type SummaryNode, type WindowKey, windowId } from './window-document.ts';

export interface TreePosition {
  depth: number;
  prefix: number;
}

/** The window itself. */
export const ROOT: TreePosition = { depth: 0, prefix: 0 };

/** Which child of a split summary at `position` holds `slice`. */
export function childIndex(position: TreePosition, slice: number): number {
  return Math.floor(slice / FANOUT ** position.depth) % FANOUT;
}

export function childPosition(position: TreePosition, index: number): TreePosition {
  return { depth: position.depth + 1, prefix: position.prefix + index * FANOUT ** position.depth };
}

/** The window's id at the root; below it `series|window|start|n<depth>.<prefix>`, apart from slice ids. */
export function summaryId(key: WindowKey, position: TreePosition): string {
  return position.depth === 0 ? windowId(key) : `${windowId(key)}|n${position.depth}.${position.prefix}`;
}

/** A node's shape fields: what every revision of it keeps. */
export function nodeShape(
  key: WindowKey,
  position: TreePosition,
): Omit<SummaryNode, 'entries' | 'split' | 'merged' | 'updatedAt' | 'revision'> {
  return {
    kind: 'node',
    id: summaryId(key, position),
    series: key.series,
    window: key.window,
    start: key.start,
    depth: position.depth,
    prefix: position.prefix,
  };
}
