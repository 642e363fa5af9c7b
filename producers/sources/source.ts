/**
 * What every producer source yields: valid records, and the lines it could not turn into one (kept with their
 * line number and a reason, so a person can fix and replay them). Sources validate with the core's
 * `validateRecord`, so a record they yield is one the functions will accept.
 */
import type { DataRecord } from '../../shared/core/index.ts';

export type SourceItem =
  | {
      kind: 'record';
      record: DataRecord;
      /**
       * Where the source can resume from just after this record (a byte offset, an index, a trade id), as text.
       * A producer checkpoints the position of the last record it has durably spooled or sent, and hands it back
       * to the source on restart.
       */
      position?: string;
    }
  | {
      kind: 'reject';
      line: number;
      reason: string;
      text: string;
      /** Where to resume just after this line, when the source can say (so a restart does not list it again). */
      position?: string;
    };

export interface Source {
  /** A short name for progress lines and the spool's run identity, e.g. `file:trades.ndjson`. */
  readonly name: string;
  /** Records in total when known in advance (for an ETA), else undefined. */
  readonly total?: number;
  /**
   * Streams the items. `resumeFrom` is a `position` this source yielded in an earlier run: start just after it.
   * Stops when `signal` aborts (or the source ends).
   */
  items(options: { signal: AbortSignal; resumeFrom?: string }): AsyncIterable<SourceItem>;
}
