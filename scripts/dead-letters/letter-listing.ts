/**
 * What `tricloud dead-letters list` shows of one dead-letter place: counts by reason first, then the newest
 * letters. Letters stream through once, so a store of millions costs the newest `limit` letters and one count per
 * rule, not the store. Reasons are counted by the rule they state, as `tricloud status` counts them
 * (`reasonRule`): `seq must be …`, not one group per value quoted after `got`.
 */
import { reasonRule } from '../status/dead-letter-reasons.ts';
import { type Letter, type LetterFilter, matches, preview } from './letter.ts';

export interface ReasonGroup {
  reason: string;
  count: number;
  /** Epoch ms of the newest letter of this reason. */
  lastAt: number;
}

export interface Listing {
  /** Where the letters are kept, for people. */
  where: string;
  /** Letters read. */
  read: number;
  /** Letters the filter selected. */
  matching: number;
  /** False when the reading stopped at its cap: the counts are then lower bounds. */
  complete: boolean;
  /** The selected letters by rule, most first (ties: newest first). */
  byReason: ReasonGroup[];
  /** The newest selected letters, newest first, at most the limit. */
  letters: Letter[];
}

export async function collectListing(
  where: string,
  letters: AsyncIterable<Letter>,
  options: { filter: LetterFilter; limit: number; cap?: number },
): Promise<Listing> {
  const groups = new Map<string, ReasonGroup>();
  const newest: Letter[] = [];
  let read = 0;
  let matching = 0;
  for await (const letter of letters) {
    read++;
    if (!matches(letter, options.filter)) continue;
    matching++;
    const rule = reasonRule(letter.reason);
    const group = groups.get(rule);
    if (group === undefined) groups.set(rule, { reason: rule, count: 1, lastAt: letter.at });
    else {
      group.count++;
      group.lastAt = Math.max(group.lastAt, letter.at);
    }
    keepNewest(newest, letter, options.limit);
  }
  const byReason = [...groups.values()].sort((a, b) => b.count - a.count || b.lastAt - a.lastAt);
  return {
    where,
    read,
    matching,
    complete: options.cap === undefined || read < options.cap,
    byReason,
    letters: newest,
  };
}

/** Newest first; letters of the same moment by id, so a listing is the same whatever order the store reads in. */
function before(a: Letter, b: Letter): boolean {
  return a.at > b.at || (a.at === b.at && a.id < b.id);
}

/** Inserts `letter` into `newest` (newest first) if it is among the `limit` newest. */
function keepNewest(newest: Letter[], letter: Letter, limit: number): void {
  if (newest.length >= limit && !before(letter, newest[newest.length - 1]!)) return;
  let at = newest.findIndex((l) => before(letter, l));
  if (at < 0) at = newest.length;
  newest.splice(at, 0, letter);
  if (newest.length > limit) newest.pop();
}

const KIND_TEXT: Record<Letter['kind'], string> = {
  record: 'invalid record',
  records: 'invalid rows past the hundred kept one by one',
  message: 'unreadable message',
  undeliverable: 'undeliverable message: the store refused it for good',
  exhausted: 'message that exhausted its deliveries',
};

export function kindText(kind: Letter['kind']): string {
  return KIND_TEXT[kind];
}

/** A listing as text: a title line, the counts by reason, then each letter on three lines. */
export function renderListing(title: string, listing: Listing, filtered: boolean): string {
  const lines = [
    `${title} — ${listing.where}: ${listing.complete ? '' : 'at least '}${listing.read}${filtered ? `, ${listing.matching} matching` : ''}`,
  ];
  if (listing.matching === 0) return `${lines[0]}\n`;
  const width = Math.max(5, ...listing.byReason.map((g) => String(g.count).length));
  lines.push(`  ${'count'.padStart(width)}  reason (rule)`);
  for (const g of listing.byReason) lines.push(`  ${String(g.count).padStart(width)}  ${g.reason}`);
  lines.push('');
  for (const letter of listing.letters) {
    lines.push(`  ${new Date(letter.at).toISOString()}  ${letter.id}  (${kindText(letter.kind)})`);
    lines.push(`      ${preview(letter.reason, 150)}`);
    lines.push(`      ${preview(letter.payload, 100)}`);
  }
  if (listing.letters.length < listing.matching) {
    lines.push(`  … the newest ${listing.letters.length} of ${listing.matching} shown; --limit N shows more`);
  }
  return `${lines.join('\n')}\n`;
}
