/**
 * The rejects file: one JSON line per source line that is not a valid record, with its line number and the
 * reason, so a person can fix the lines and produce them again. Written before the spool's checkpoint and cut back
 * to the checkpoint's size on restart, so a resumed run never lists a line twice.
 */
import { mkdir, open, stat, truncate } from 'node:fs/promises';
import path from 'node:path';

export class RejectsFile {
  readonly file: string;
  #buffer = '';
  #size: number;
  count = 0;

  private constructor(file: string, size: number) {
    this.file = file;
    this.#size = size;
  }

  /** Opens the file, cut back to `size` bytes (the last checkpoint's), or emptied when starting afresh. */
  static async open(file: string, size = 0): Promise<RejectsFile> {
    await mkdir(path.dirname(file), { recursive: true });
    const current = await stat(file).then(
      (s) => s.size,
      () => -1,
    );
    if (current < 0) await (await open(file, 'w')).close();
    else if (current !== size) await truncate(file, Math.min(size, current));
    return new RejectsFile(file, Math.max(0, Math.min(size, current)));
  }

  add(line: number, reason: string, text: string): void {
    this.#buffer += `${JSON.stringify({ line, reason, text: text.length > 1_000 ? `${text.slice(0, 997)}...` : text })}\n`;
    this.count++;
  }

  /** Appends what was added and fsyncs; resolves to the file's size, for the checkpoint. */
  async flush(): Promise<number> {
    if (this.#buffer === '') return this.#size;
    const text = this.#buffer;
    this.#buffer = '';
    const h = await open(this.file, 'a');
    try {
      await h.write(text);
      await h.datasync();
    } finally {
      await h.close();
    }
    this.#size += Buffer.byteLength(text);
    return this.#size;
  }
}
