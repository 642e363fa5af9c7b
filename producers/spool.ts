/**
 * The producer's write-ahead spool: one append-only journal per run holding every packed message, each assigned to
 * one cloud, before any is sent. A chunk of messages and the source checkpoint after them are written together and
 * fsynced once, so after a crash either both are on disk or neither is: the source resumes right after what the
 * spool holds, and the unsent messages are replayed to the cloud they were assigned to (never to another, so no
 * record reaches two clouds). Acknowledgements are appended unsynced: losing one only re-sends a message, which
 * ingest's idempotence absorbs.
 *
 * Lines (ASCII, tab-separated; bodies are JSON without tabs or newlines):
 *
 *     m <id> <cloud> <series> <records> <body>   a message
 *     c <checkpoint JSON>                          the end of a chunk: its messages are committed
 *     a <id>,<id>,…                                messages the transport accepted
 *     v <cloud> <id>,<id>,…                        messages moved to another cloud before any attempt to send
 *     s <summary>                                  written by compaction: the caller's summary of the messages
 *                                                  it removed (the producer's seen records), one line of text
 */
import { type FileHandle, mkdir, open, rename, truncate } from 'node:fs/promises';
import path from 'node:path';
import { isOrigin, type Origin } from '../shared/core/index.ts';
import { fileLines } from './line-stream.ts';

export interface SpoolMessage {
  cloud: Origin;
  /** The series the message carries: Event Hubs' partition key. */
  key: string;
  records: number;
  body: string;
}

export interface SpoolEntry extends Omit<SpoolMessage, 'body'> {
  id: number;
  /** Where the body sits in the journal, so a long backlog need not stay in memory. */
  offset: number;
  length: number;
  /** In memory until sent, or dropped to bound memory and read back from the journal. */
  body?: string;
  /** Found in the journal at start: a previous run spooled it. */
  replayed: boolean;
}

export interface Checkpoint {
  /** The source position after the last record the spool holds (undefined: from the start). */
  position?: string;
  /** Size of the rejects file at the checkpoint: a restart truncates it there, so no reject is written twice. */
  rejectsBytes: number;
  /** Records read from the source up to the checkpoint, over every run of this state (for `--records`). */
  read?: number;
  /** The source has ended: a re-run has nothing new to read. */
  sourceDone?: boolean;
}

const JOURNAL = 'journal.log';

export class Spool {
  readonly #file: string;
  #handle: FileHandle;
  #size: number;
  #nextId: number;
  #tail: Promise<unknown> = Promise.resolve();

  private constructor(file: string, handle: FileHandle, size: number, nextId: number) {
    this.#file = file;
    this.#handle = handle;
    this.#size = size;
    this.#nextId = nextId;
  }

  /**
   * Opens (or creates) the journal in `dir`: the last checkpoint, the messages not yet accepted, every message
   * committed since the last compaction (accepted or not), and the summary that compaction kept.
   */
  static async open(dir: string): Promise<{
    spool: Spool;
    checkpoint: Checkpoint | undefined;
    pending: SpoolEntry[];
    committed: SpoolEntry[];
    summary: string | undefined;
  }> {
    await mkdir(dir, { recursive: true });
    const file = path.join(dir, JOURNAL);
    const pending = new Map<number, SpoolEntry>();
    const committed: SpoolEntry[] = [];
    let tentative: SpoolEntry[] = [];
    let checkpoint: Checkpoint | undefined;
    let summary: string | undefined;
    let committedEnd = 0;
    let maxId = 0;
    let lineStart = 0;
    const exists = await open(file, 'r').then(
      (h) => h.close().then(() => true),
      () => false,
    );
    if (exists) {
      for await (const { text, end, terminated } of fileLines(file)) {
        const start = lineStart;
        lineStart = end;
        if (!terminated) break;
        const tag = text.slice(0, 2);
        if (tag === 'm\t') {
          const parts = text.split('\t', 5);
          const prefix = parts.join('\t').length + 1;
          const [, id, cloud, key, records] = parts;
          if (!cloud || !isOrigin(cloud)) continue;
          const entry: SpoolEntry = {
            id: Number(id),
            cloud,
            key: key!,
            records: Number(records),
            offset: start + prefix,
            length: text.length - prefix,
            replayed: true,
          };
          maxId = Math.max(maxId, entry.id);
          tentative.push(entry);
        } else if (tag === 'c\t') {
          checkpoint = JSON.parse(text.slice(2)) as Checkpoint;
          for (const e of tentative) pending.set(e.id, e);
          committed.push(...tentative);
          tentative = [];
          committedEnd = end;
        } else if (tag === 's\t') {
          // Only compaction writes it, in the same atomic file as the checkpoint after it.
          summary = text.slice(2);
        } else if (tag === 'v\t') {
          const [, cloud, ids] = text.split('\t');
          if (!cloud || !isOrigin(cloud)) continue;
          for (const id of (ids ?? '').split(',')) {
            const entry = pending.get(Number(id));
            if (entry) entry.cloud = cloud;
          }
          committedEnd = Math.max(committedEnd, tentative.length === 0 ? end : committedEnd);
        } else if (tag === 'a\t') {
          for (const id of text.slice(2).split(',')) pending.delete(Number(id));
          committedEnd = Math.max(committedEnd, tentative.length === 0 ? end : committedEnd);
        }
      }
      // Drop a chunk cut short by a crash (its records are re-read from the source) and any torn last line.
      await truncate(file, committedEnd);
    }
    const handle = await open(file, 'a+');
    return {
      spool: new Spool(file, handle, committedEnd, maxId + 1),
      checkpoint,
      pending: [...pending.values()].sort((a, b) => a.id - b.id),
      committed,
      summary,
    };
  }

  /** Appends the messages and the checkpoint after them in one write, and fsyncs: the chunk is durable. */
  commit(messages: readonly SpoolMessage[], checkpoint: Checkpoint): Promise<SpoolEntry[]> {
    return this.#serial(async () => {
      const entries: SpoolEntry[] = [];
      let text = '';
      let at = this.#size;
      for (const m of messages) {
        const prefix = `m\t${this.#nextId}\t${m.cloud}\t${m.key}\t${m.records}\t`;
        entries.push({
          id: this.#nextId++,
          cloud: m.cloud,
          key: m.key,
          records: m.records,
          offset: at + prefix.length,
          length: m.body.length,
          body: m.body,
          replayed: false,
        });
        const line = `${prefix + m.body}\n`;
        text += line;
        at += line.length;
      }
      text += `c\t${JSON.stringify(checkpoint)}\n`;
      await this.#handle.write(text);
      await this.#handle.datasync();
      this.#size += Buffer.byteLength(text);
      return entries;
    });
  }

  /** Records that the transport accepted these messages. */
  acknowledge(ids: readonly number[]): Promise<void> {
    if (ids.length === 0) return Promise.resolve();
    return this.#serial(async () => {
      const line = `a\t${ids.join(',')}\n`;
      await this.#handle.write(line);
      this.#size += line.length;
    });
  }

  /**
   * Assigns messages to another cloud, durably (one line, fsynced), before they go there: after a crash they are
   * replayed to the new cloud only.
   */
  move(entries: readonly SpoolEntry[], cloud: Origin): Promise<void> {
    if (entries.length === 0) return Promise.resolve();
    return this.#serial(async () => {
      const line = `v\t${cloud}\t${entries.map((e) => e.id).join(',')}\n`;
      await this.#handle.write(line);
      await this.#handle.datasync();
      this.#size += line.length;
      for (const e of entries) e.cloud = cloud;
    });
  }

  /** The body of an entry, from memory or from the journal (in turn with compaction, which moves it). */
  async body(entry: SpoolEntry): Promise<string> {
    if (entry.body !== undefined) return entry.body;
    return this.#serial(() => this.#read(entry));
  }

  async #read(entry: SpoolEntry): Promise<string> {
    const buffer = Buffer.alloc(entry.length);
    await this.#handle.read(buffer, 0, entry.length, entry.offset);
    return buffer.toString('latin1');
  }

  /** Bytes in the journal: compaction is worth it past a size. */
  get size(): number {
    return this.#size;
  }

  /**
   * Replaces the journal by the caller's summary of the messages it drops (one line of text without newlines), the
   * messages still pending, and the last checkpoint — one new file renamed over the old, so a crash leaves one or
   * the other. `pending` is asked for when the compaction runs, in turn with the spool's other writes: it must
   * return every message not yet accepted. Their ids stay; their offsets move to the new file.
   */
  compact(
    checkpoint: Checkpoint,
    summary: string,
    pending: () => readonly SpoolEntry[] = () => [],
  ): Promise<void> {
    return this.#serial(async () => {
      const kept = [...new Map(pending().map((e) => [e.id, e])).values()].sort((a, b) => a.id - b.id);
      let text = `s\t${summary}\n`;
      const offsets: number[] = [];
      for (const e of kept) {
        const prefix = `m\t${e.id}\t${e.cloud}\t${e.key}\t${e.records}\t`;
        offsets.push(text.length + prefix.length);
        text += `${prefix}${e.body ?? (await this.#read(e))}\n`;
      }
      text += `c\t${JSON.stringify(checkpoint)}\n`;
      const temp = `${this.#file}.tmp`;
      const h = await open(temp, 'w');
      await h.write(text);
      await h.datasync();
      await h.close();
      await this.#handle.close();
      await rename(temp, this.#file);
      this.#handle = await open(this.#file, 'a+');
      this.#size = Buffer.byteLength(text);
      kept.forEach((e, i) => {
        e.offset = offsets[i]!;
      });
    });
  }

  async close(): Promise<void> {
    await this.#serial(async () => {
      await this.#handle.datasync().catch(() => {});
      await this.#handle.close();
    });
  }

  #serial<T>(work: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(work);
    this.#tail = result.catch(() => {});
    return result;
  }
}
