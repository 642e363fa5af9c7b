/**
 * A file of records in the DESIGN §2 format, NDJSON or CSV (by `format`, else by the extension), streamed line by
 * line: a 10 GB file costs one read buffer. Positions are `<byte offset>:<line number>` after a record, so a
 * restarted producer seeks straight past what it already spooled.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { fileLines } from '../line-stream.ts';
import { type CsvHeader, parseCsvHeader, parseCsvLine, parseNdjsonLine } from '../record-lines.ts';
import type { Source, SourceItem } from './source.ts';

export type FileFormat = 'ndjson' | 'csv';

export function formatOf(file: string, format?: string): FileFormat {
  if (format === 'ndjson' || format === 'csv') return format;
  if (format !== undefined) throw new Error(`--format takes ndjson or csv, not '${format}'.`);
  return path.extname(file).toLowerCase() === '.csv' ? 'csv' : 'ndjson';
}

/** Opens a file source; throws a clear sentence when the file cannot be read. */
export async function fileSource(file: string, format?: string): Promise<Source> {
  const kind = formatOf(file, format);
  try {
    const info = await stat(file);
    if (!info.isFile()) throw new Error('not a regular file');
  } catch (error) {
    throw new Error(
      `cannot read the source file ${file} (${(error as Error).message}); give the path of an NDJSON or CSV file.`,
    );
  }
  return {
    name: `file:${path.resolve(file)}`,
    async *items({ signal, resumeFrom }): AsyncGenerator<SourceItem> {
      let start = 0;
      let firstLine = 1;
      let header: CsvHeader | undefined;
      if (resumeFrom !== undefined) {
        const [offset, line] = resumeFrom.split(':').map(Number);
        start = offset ?? 0;
        firstLine = (line ?? 0) + 1;
      }
      if (kind === 'csv') {
        for await (const first of fileLines(file, { signal })) {
          header = parseCsvHeader(first.text, file);
          if (start === 0) {
            start = first.end;
            firstLine = 2;
          }
          break;
        }
        if (header === undefined) return;
      }
      for await (const { text, line, end } of fileLines(file, { start, firstLine, signal })) {
        if (text.trim() === '') continue;
        const result = header ? parseCsvLine(text, header) : parseNdjsonLine(text);
        if (result.ok) yield { kind: 'record', record: result.record, position: `${end}:${line}` };
        else yield { kind: 'reject', line, reason: result.reason, text, position: `${end}:${line}` };
      }
    },
  };
}
