/**
 * Lines of a file, streamed, each with the byte offset just after it: what a resumable reader needs (readline
 * hides offsets). Memory stays at one read buffer plus the longest line, whatever the file's size.
 */
import { createReadStream } from 'node:fs';

export interface FileLine {
  /** The line without its `\n` (or `\r\n`). */
  text: string;
  /** 1-based line number in the file. */
  line: number;
  /** Byte offset just after the line's newline: where a reader resumes. */
  end: number;
  /** False for a last line without a newline (a writer may have stopped mid-line). */
  terminated: boolean;
}

/**
 * Streams the lines of `file` from byte offset `start`, numbering them from `firstLine`. A last line without a
 * newline is yielded too (a file being written may end mid-line; the caller decides what a partial line means).
 */
export async function* fileLines(
  file: string,
  options: { start?: number; firstLine?: number; signal?: AbortSignal } = {},
): AsyncGenerator<FileLine> {
  let offset = options.start ?? 0;
  let line = options.firstLine ?? 1;
  let carry: Buffer[] = [];
  let carryBytes = 0;
  const stream = createReadStream(file, { start: offset, highWaterMark: 256 * 1024 });
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      if (options.signal?.aborted) return;
      let from = 0;
      for (;;) {
        const nl = chunk.indexOf(0x0a, from);
        if (nl < 0) break;
        const piece = chunk.subarray(from, nl);
        const bytes = carryBytes + piece.length + 1;
        const whole = carry.length === 0 ? piece : Buffer.concat([...carry, piece]);
        carry = [];
        carryBytes = 0;
        offset += bytes;
        yield { text: trimCr(whole.toString('utf8')), line: line++, end: offset, terminated: true };
        from = nl + 1;
      }
      if (from < chunk.length) {
        carry.push(chunk.subarray(from));
        carryBytes += chunk.length - from;
      }
    }
    if (carryBytes > 0) {
      offset += carryBytes;
      yield { text: trimCr(Buffer.concat(carry).toString('utf8')), line, end: offset, terminated: false };
    }
  } finally {
    stream.destroy();
  }
}

function trimCr(text: string): string {
  return text.endsWith('\r') ? text.slice(0, -1) : text;
}
