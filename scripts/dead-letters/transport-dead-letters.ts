/**
 * What `tricloud dead-letters` asks of a transport's own dead-letter place (the SQS dead-letter queue, the Pub/Sub
 * dead-letter subscription): read its messages without consuming them, and send them back to where they came from.
 */
import type { Letter } from './letter.ts';

/** Messages read by one listing at most; past it the counts are lower bounds. */
export const PEEK_CAP = 10_000;
/** Messages a dry run names; it counts them all. */
export const DRY_RUN_SHOWN = 50;

export interface RedriveReport {
  /** The dead-letter place and where its messages go back to, for people. */
  from: string;
  to: string;
  /** How the messages were (or would be) moved, e.g. `StartMessageMoveTask`. */
  method: string;
  dryRun: boolean;
  /** Messages moved, or (dry run) that would move. */
  moved: number;
  /** With `dryRun`: the first {@link DRY_RUN_SHOWN} of the messages that would move. */
  letters?: Letter[];
  /** Letters left where they are, and why. */
  skipped: { id: string; why: string }[];
  /** Anything else the person should know (a fallback taken and why). */
  notes: string[];
}

export interface RedriveOptions {
  /** Say what would move; move nothing. */
  dryRun: boolean;
  /** Epoch ms: only what was dead-lettered at or after it (the rest stays where it is). */
  since?: number;
}

export interface TransportDeadLetters {
  /** Where the messages are, for people: `SQS queue tricloud-records-dlq`. */
  where: string;
  /** What reading does to the dead-letter place, for the listing's footnote. */
  peekNote: string;
  /**
   * The messages, at most `cap`, each handed back once the iteration ends (or is broken off): a listing leaves the
   * dead-letter place as it found it.
   */
  peek(cap: number): AsyncIterable<Letter>;
  /** Sends every message back to the queue or topic it exhausted its deliveries on (or says what would move). */
  redrive(options: RedriveOptions): Promise<RedriveReport>;
  close(): Promise<void>;
}

/**
 * Fills a dry run's report from a reading: every message (dead-lettered at or after `since`, when given) counted,
 * the first few kept to name.
 */
export async function dryRunReport(
  report: RedriveReport,
  letters: AsyncIterable<Letter>,
  since?: number,
): Promise<RedriveReport> {
  report.letters = [];
  for await (const letter of letters) {
    if (since !== undefined && letter.at < since) continue;
    report.moved++;
    if (report.letters.length < DRY_RUN_SHOWN) report.letters.push(letter);
  }
  return report;
}
