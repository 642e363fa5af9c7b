/**
 * Dead letters by reason. A letter's reason quotes what it refused (`seq must be an integer from 0 to 2^53 − 1, got
 * 1.5`), so counting by the whole sentence would give one group per bad value; letters are counted by the rule
 * they broke instead, as the ingest counts its own overflow letter (`ingest-batch.ts`).
 */
import type { DeadLetterSummary, ReasonCount } from './status-model.ts';

const HOUR_MS = 3_600_000;

/** Reasons whose wording carries values or details before any separator: matched whole, named by their rule. */
const WORDED_RULES: readonly [RegExp, (match: RegExpExecArray) => string][] = [
  [/^the message body is \d+ bytes, over the/, () => 'the message body is over what any transport carries'],
  [
    /^\d+ more invalid rows, past the \d+ kept one by one/,
    () => 'more invalid rows than are kept one by one',
  ],
  [/^unknown envelope version/, () => 'unknown envelope version: upgrade the functions before the producers'],
  [/^late: /, () => 'late: older than the maximum lateness allows'],
  // `the store refused it for good (too-large): <the store's own message>`: the reason code is the rule.
  [/^the store refused it for good \([^)]*\)/, (m) => m[0]],
];

/**
 * The rule a reason names, without the value it quotes: the text before `, got ` or before `; ` (what follows is
 * advice), without a parenthesised detail of several words (an error message), or one of the worded rules above.
 */
export function reasonRule(reason: string): string {
  for (const [pattern, rule] of WORDED_RULES) {
    const match = pattern.exec(reason);
    if (match) return rule(match);
  }
  let rule = reason;
  for (const separator of [', got ', '; ']) {
    const at = rule.indexOf(separator);
    if (at > 0) rule = rule.slice(0, at);
  }
  // A parenthesis of several words is a detail (an error's message, which may nest parentheses): cut from it on.
  const open = rule.indexOf(' (');
  if (open > 0) {
    const close = rule.indexOf(')', open);
    if (rule.slice(open + 2, close < 0 ? undefined : close).includes(' ')) rule = rule.slice(0, open);
  }
  rule = rule.trim();
  return rule.length > 160 ? `${rule.slice(0, 159)}…` : rule;
}

/** What a whole message refused for good by the store is dead-lettered with (`IngestOutcome.deadLetterRefused`). */
export const REFUSED_PREFIX = 'the store refused it for good';

/**
 * Counts letters by rule, most frequent first (ties: newest first), and those of the last hour before `now`.
 * `complete` says whether `letters` is the whole dead-letter store or a capped part of it.
 */
export function summarizeDeadLetters(
  letters: Iterable<{ reason: string; at: number }>,
  now: number,
  complete = true,
): DeadLetterSummary {
  const groups = new Map<string, ReasonCount>();
  let total = 0;
  let lastHour = 0;
  let refusedMessages = 0;
  for (const letter of letters) {
    total++;
    if (letter.at > now - HOUR_MS) lastHour++;
    if (letter.reason.startsWith(REFUSED_PREFIX)) refusedMessages++;
    const reason = reasonRule(letter.reason);
    const group = groups.get(reason);
    if (group === undefined) groups.set(reason, { reason, count: 1, lastAt: letter.at });
    else {
      group.count++;
      group.lastAt = Math.max(group.lastAt, letter.at);
    }
  }
  const byReason = [...groups.values()].sort((a, b) => b.count - a.count || b.lastAt - a.lastAt);
  return { total, lastHour, refusedMessages, byReason, complete };
}
