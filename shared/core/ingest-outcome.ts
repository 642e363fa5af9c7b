/**
 * What one ingest invocation reports: counts, and which messages failed and why. Failures are kept per message
 * (a transient failure outweighs a permanent one, since the message must come back either way), so the entry
 * points can shape their platform's reply from one list.
 */
import { type PermanentReason, PermanentStoreError } from './errors.ts';
import type { InboundMessage } from './ingest-batch.ts';
import { type PreparedBatch, payloadText } from './ingest-batch.ts';
import type { Origin } from './origin.ts';
import type { DeadLetter, DeadLetterSink } from './ports.ts';

export interface IngestReport {
  messages: number;
  rows: number;
  valid: number;
  invalid: number;
  late: number;
  undecodable: number;
  /** (record, window) pairs counted for the first time: records × window sizes on a fresh stream. */
  added: number;
  /** (record, window) pairs this origin had already counted (redeliveries, duplicates). */
  skipped: number;
  /** Window documents touched. */
  documents: number;
  /** Slice documents touched. */
  slices: number;
  /** Conditional writes that landed: slices, windows and a split window's summary nodes. */
  writes: number;
  /** Windows written whose clouds hold different records under the same ids (`mergeParts`' conflict). */
  recordConflicts: number;
  conflicts: number;
  retries: number;
  /** Dead letters written: invalid and late rows, and messages refused for good. */
  deadLetters: number;
  failedDocuments: number;
  /** Batch ids of the envelopes read, for correlating this invocation with the producer's run. */
  batchIds: string[];
  /** The first failure's message, for the log line; the failed messages are in `failedMessageIds`. */
  firstError?: string;
  /** Failed messages per reason (`transient`, or a {@link PermanentReason}): what the metric line names. */
  failureReasons: Record<string, number>;
}

/** One message that could not be stored, and why. */
export interface MessageFailure {
  messageId: string;
  /** The error's sentence, as the store adapter phrased it. */
  error: string;
  /** Set when retrying cannot help: the store refused for good. */
  permanent?: PermanentReason;
}

type TrackedFailure = MessageFailure & { deadLettered?: boolean };

export interface IngestResult {
  /** Messages to redeliver: only these, never the whole batch. */
  failedMessageIds: string[];
  /** Why each message failed: those in `failedMessageIds`, and those dead-lettered for a permanent refusal. */
  failures: MessageFailure[];
  report: IngestReport;
}

/** The report and failures of one invocation, filled in as its documents are written. */
export class IngestOutcome {
  readonly report: IngestReport;
  readonly #failures = new Map<string, TrackedFailure>();

  constructor(messages: number, batch: PreparedBatch, windows: number) {
    this.report = {
      messages,
      rows: batch.rows,
      valid: batch.valid,
      invalid: batch.invalid,
      late: batch.late,
      undecodable: batch.undecodable,
      added: 0,
      skipped: 0,
      documents: windows,
      slices: batch.groups.size,
      writes: 0,
      recordConflicts: 0,
      conflicts: 0,
      retries: 0,
      deadLetters: 0,
      failedDocuments: 0,
      batchIds: batch.batchIds,
      failureReasons: {},
    };
  }

  /** Marks messages failed because of `error`. */
  fail(messageIds: Iterable<string>, error: unknown): void {
    const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    const permanent = error instanceof PermanentStoreError ? error.reason : undefined;
    for (const id of messageIds) {
      const known = this.#failures.get(id);
      if (!known || (known.permanent && !permanent)) {
        this.#failures.set(id, { messageId: id, error: text, ...(permanent ? { permanent } : {}) });
      }
    }
    this.report.firstError ??= text;
  }

  /** Writes letters; if the sink fails, the messages they came from fail, so the platform brings them back. */
  async putLetters(sink: DeadLetterSink, letters: readonly DeadLetter[]): Promise<void> {
    if (letters.length === 0) return;
    try {
      await sink.put(letters);
      this.report.deadLetters += letters.length;
    } catch (error) {
      this.fail(
        letters.map((l) => l.messageId),
        error,
      );
    }
  }

  /**
   * Dead-letters, whole, each message that failed only for permanent reasons, and takes it off the failed list:
   * retrying cannot store it, and replaying the letter later is harmless for what was stored (ingest is
   * idempotent). If the dead-letter write itself fails, the message stays failed, so nothing is dropped.
   */
  async deadLetterRefused(
    messages: readonly InboundMessage[],
    origin: Origin,
    now: number,
    sink: DeadLetterSink,
  ): Promise<void> {
    const refused = messages.filter((m) => this.#failures.get(m.id)?.permanent);
    if (refused.length === 0) return;
    const letters = refused.map((m) => {
      const failure = this.#failures.get(m.id)!;
      return {
        id: m.id,
        origin,
        messageId: m.id,
        reason: `the store refused it for good (${failure.permanent}): ${failure.error}`,
        payload: payloadText(m.body),
        at: now,
      };
    });
    try {
      await sink.put(letters);
      this.report.deadLetters += letters.length;
      for (const m of refused) this.#failures.set(m.id, { ...this.#failures.get(m.id)!, deadLettered: true });
    } catch {
      // Left failed: the platform redelivers, and the next attempt dead-letters it again.
    }
  }

  result(messages: readonly InboundMessage[]): IngestResult {
    const failures = [...this.#failures.values()];
    for (const failure of failures) {
      const reason = failure.permanent ?? 'transient';
      this.report.failureReasons[reason] = (this.report.failureReasons[reason] ?? 0) + 1;
    }
    const retry = new Set(failures.filter((f) => !f.deadLettered).map((f) => f.messageId));
    return {
      failedMessageIds: messages.map((m) => m.id).filter((id) => retry.has(id)),
      failures: failures.map(({ deadLettered: _, ...failure }) => failure),
      report: this.report,
    };
  }
}
