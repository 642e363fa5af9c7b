/**
 * Writes what the producer reads to the spool in chunks. The open chunk collects records packed per cloud and
 * series, rejects, and the source position after them; a commit writes its messages and the checkpoint after them to
 * the spool in one fsynced write, so a restart resumes right after what the spool holds. The journal is compacted
 * before a commit once it is large and at least half of it is accepted messages, and when the run closes.
 */
import type { Clock, DataRecord, Origin } from '../shared/core/index.ts';
import type { SeenRecords } from './dedupe.ts';
import { CloudPacking } from './packing.ts';
import type { RejectsFile } from './rejects.ts';
import type { SourceItem } from './sources/source.ts';
import type { Checkpoint, Spool, SpoolEntry } from './spool.ts';

export interface ChunkOptions {
  /** A chunk commits after this many items (records and rejects) or this long, whichever first. */
  chunkRecords: number;
  chunkMs: number;
  recordsPerMessage: number;
  /** The journal is compacted past this size, when at least half of it is accepted messages. */
  compactBytes: number;
  /** Makes each message's batch id unique to the run. */
  runTag: string;
}

export interface ChunkState {
  spool: Spool;
  rejects: RejectsFile;
  seen: SeenRecords;
  /** The checkpoint the state was opened at. */
  checkpoint: Checkpoint;
  clock: Clock;
  /** Every message not yet accepted, asked for when compacting: a compaction keeps them. */
  unaccepted: () => readonly SpoolEntry[];
}

type Reject = Extract<SourceItem, { kind: 'reject' }>;

export class ChunkWriter {
  /** The last checkpoint committed: where a restart resumes. */
  checkpoint: Checkpoint;
  readonly #s: ChunkState;
  readonly #o: ChunkOptions;
  readonly #packing: CloudPacking;
  #position: string | undefined;
  /** Items in the open chunk. */
  #count = 0;
  #openedAt = 0;

  constructor(state: ChunkState, options: ChunkOptions) {
    this.#s = state;
    this.#o = options;
    this.checkpoint = state.checkpoint;
    this.#position = state.checkpoint.position;
    let batch = 0;
    this.#packing = new CloudPacking(options.recordsPerMessage, () => `p-${options.runTag}-${batch++}`);
  }

  /** Adds a line the source could not read to the chunk, for the rejects file. */
  reject(item: Reject): void {
    this.#take(item.position);
    this.#s.rejects.add(item.line, item.reason, item.text);
  }

  /**
   * Adds a record for the clouds `route` names, unless this state has taken its `(series, seq)` before; false for
   * such a duplicate (its position still counts as read).
   */
  record(
    record: DataRecord,
    position: string | undefined,
    route: (series: string) => readonly Origin[],
  ): boolean {
    this.#take(position);
    if (!this.#s.seen.take(record.series, record.seq)) return false;
    for (const cloud of route(record.series)) this.#packing.add(cloud, record);
    return true;
  }

  /** When the open chunk is due to commit; undefined while it is empty. */
  get dueAt(): number | undefined {
    return this.#count === 0 ? undefined : this.#openedAt + this.#o.chunkMs;
  }

  /** The open chunk holds its count of items, or has been open its time. */
  get full(): boolean {
    return this.#count >= this.#o.chunkRecords || this.#s.clock.now() - this.#openedAt >= this.#o.chunkMs;
  }

  /**
   * Commits the open chunk with the checkpoint after it (`read`: records read over every run of the state) and
   * returns its messages, for the lanes. With `sourceDone` it commits even an empty chunk, to record the end.
   */
  async commit(read: number, sourceDone = false): Promise<SpoolEntry[]> {
    if (this.#count === 0 && !sourceDone) return [];
    const { spool, rejects, seen } = this.#s;
    const messages = this.#packing.drain();
    const rejectsBytes = await rejects.flush();
    // Also while a cloud is down: what it has not taken is copied into the new journal, what the others took is not,
    // so a long outage costs the disk of its own backlog only.
    if (spool.size > this.#o.compactBytes && this.#unacceptedBytes() < spool.size / 2)
      await spool.compact(this.checkpoint, seen.summary(), this.#s.unaccepted);
    this.checkpoint = {
      ...(this.#position === undefined ? {} : { position: this.#position }),
      rejectsBytes,
      read,
      ...(sourceDone ? { sourceDone: true } : {}),
    };
    const entries = await spool.commit(messages, this.checkpoint);
    seen.settle();
    this.#count = 0;
    return entries;
  }

  /** Compacts the journal when at least half of it is accepted messages, and closes it. */
  async close(): Promise<void> {
    const { spool, seen } = this.#s;
    if (this.#unacceptedBytes() < spool.size / 2)
      await spool.compact(this.checkpoint, seen.summary(), this.#s.unaccepted).catch(() => {});
    await spool.close();
  }

  #take(position: string | undefined): void {
    if (this.#count === 0) this.#openedAt = this.#s.clock.now();
    this.#count++;
    if (position !== undefined) this.#position = position;
  }

  #unacceptedBytes(): number {
    return this.#s.unaccepted().reduce((n, e) => n + e.length, 0);
  }
}
