import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileLines } from '../../producers/line-stream.ts';
import { parseCsvHeader, parseCsvLine, parseNdjsonLine } from '../../producers/record-lines.ts';
import { fileSource } from '../../producers/sources/file.ts';
import type { SourceItem } from '../../producers/sources/source.ts';

async function collect(items: AsyncIterable<SourceItem>): Promise<SourceItem[]> {
  const out: SourceItem[] = [];
  for await (const i of items) out.push(i);
  return out;
}

describe('source lines into records', () => {
  it('reads an NDJSON record and gives qty its default', () => {
    expect(parseNdjsonLine('{"series":"BTCUSDT","seq":1,"ts":1700000000000,"value":37000.5}')).toEqual({
      ok: true,
      record: { series: 'BTCUSDT', seq: 1, ts: 1700000000000, value: 37000.5, qty: 1 },
    });
  });

  it('names the cause of a bad NDJSON line', () => {
    const notJson = parseNdjsonLine('{"series":');
    expect(notJson.ok).toBe(false);
    if (!notJson.ok) expect(notJson.reason).toMatch(/not valid JSON/);
    const badSeq = parseNdjsonLine('{"series":"A","seq":1.5,"ts":1,"value":1}');
    expect(badSeq).toEqual({ ok: false, reason: 'seq must be an integer from 0 to 2^53 − 1, got 1.5' });
  });

  it('reads CSV by its header, in any column order, quoted fields included', () => {
    const header = parseCsvHeader('ts,series,value,seq,qty', 'f.csv');
    expect(parseCsvLine('1700000000000,BTCUSDT,37000.5,4,0.25', header)).toEqual({
      ok: true,
      record: { series: 'BTCUSDT', seq: 4, ts: 1700000000000, value: 37000.5, qty: 0.25 },
    });
    expect(parseCsvLine('1700000000000,"BTCUSDT",37000.5,4,', header)).toEqual({
      ok: true,
      record: { series: 'BTCUSDT', seq: 4, ts: 1700000000000, value: 37000.5, qty: 1 },
    });
  });

  it('rejects CSV lines with a reason, and a file without a header with a sentence', () => {
    const header = parseCsvHeader('series,seq,ts,value', 'f.csv');
    const text = parseCsvLine('A,x,1,2', header);
    expect(text).toEqual({ ok: false, reason: 'seq must be an integer from 0 to 2^53 − 1, got "x"' });
    const short = parseCsvLine('A,1', header);
    expect(short.ok).toBe(false);
    expect(() => parseCsvHeader('A,1,2,3', 'f.csv')).toThrow(/header naming the columns series,seq,ts,value/);
  });

  it('streams lines with the byte offset after each, across chunk boundaries and CRLF', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'lines-'));
    const file = path.join(dir, 'a.txt');
    const long = 'x'.repeat(300_000);
    await writeFile(file, `one\r\n${long}\nthree`);
    const lines = [];
    for await (const l of fileLines(file)) lines.push(l);
    expect(lines.map((l) => [l.text.length, l.line, l.end, l.terminated])).toEqual([
      [3, 1, 5, true],
      [300_000, 2, 300_006, true],
      [5, 3, 300_011, false],
    ]);
    const resumed = [];
    for await (const l of fileLines(file, { start: 5, firstLine: 2 })) resumed.push(l.line);
    expect(resumed).toEqual([2, 3]);
  });

  it('resumes a file source after a position it yielded, and reports rejects with their line numbers', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'file-source-'));
    const file = path.join(dir, 'r.csv');
    await writeFile(
      file,
      'series,seq,ts,value,qty\nA,1,1700000001000,5,1\nA,oops,1700000001000,5,1\n\nA,2,1700000002000,6,1\nA,3,1700000003000,7,1\n',
    );
    const source = await fileSource(file);
    const all = await collect(source.items({ signal: new AbortController().signal }));
    expect(all.map((i) => (i.kind === 'record' ? i.record.seq : `reject@${i.line}`))).toEqual([
      1,
      'reject@3',
      2,
      3,
    ]);
    const second = all[2]!;
    expect(second.kind).toBe('record');
    const rest = await collect(
      source.items({
        signal: new AbortController().signal,
        resumeFrom: (second as { position: string }).position,
      }),
    );
    expect(rest.map((i) => (i.kind === 'record' ? i.record.seq : i.line))).toEqual([3]);
  });

  it('explains a missing file', async () => {
    await expect(fileSource('/nonexistent/trades.ndjson')).rejects.toThrow(/cannot read the source file/);
  });
});
