import { describe, expect, it } from 'vitest';
import {
  decodeMessage,
  encodeMessage,
  MAX_MESSAGE_BYTES,
  MessagePacker,
  nestingDepth,
  rowTexts,
} from '../../shared/core/index.ts';
import { record } from '../helpers/records.ts';

describe('envelope', () => {
  it('round-trips records as rows', () => {
    const rs = [record(), record({ seq: 2, qty: 0.01, value: 37000.5 })];
    const text = encodeMessage('run-1', rs);
    const decoded = decodeMessage(new TextEncoder().encode(text));
    expect(decoded).toEqual({
      ok: true,
      batchId: 'run-1',
      rows: rs.map((r) => [r.series, r.seq, r.ts, r.value, r.qty]),
      text,
    });
  });

  it.each([
    ['not json', 'not valid JSON'],
    ['[1,2]', 'must be a JSON object envelope'],
    ['{"v":2,"b":"x","r":[]}', 'unknown envelope version 2; this function reads version 1'],
    ['{"b":"x","r":[]}', 'unknown envelope version missing'],
    ['{"v":1,"r":[]}', 'batch id'],
    ['{"v":1,"b":"x","r":{}}', 'an array of record rows'],
  ])('explains why %j cannot be read', (body, reason) => {
    const decoded = decodeMessage(body);
    expect(!decoded.ok && decoded.reason).toContain(reason);
  });

  it('explains bytes that are not UTF-8', () => {
    const decoded = decodeMessage(new Uint8Array([0xff, 0xfe]));
    expect(!decoded.ok && decoded.reason).toContain('not valid UTF-8');
  });
});

describe('MessagePacker', () => {
  it('packs as many records as fit the byte limit, never over it, losing none', () => {
    let n = 0;
    const packer = new MessagePacker({ maxBytes: 300 }, () => `b${n++}`);
    const messages: string[] = [];
    for (let seq = 0; seq < 50; seq++) {
      const done = packer.add(record({ seq }));
      if (done) messages.push(done);
    }
    const last = packer.flush();
    if (last) messages.push(last);
    expect(messages.length).toBeGreaterThan(1);
    for (const m of messages) expect(m.length).toBeLessThanOrEqual(300);
    // Full: one more row would not have fitted in any message but the last.
    for (const m of messages.slice(0, -1)) expect(m.length + 34).toBeGreaterThan(300);
    const seqs = messages.flatMap((m) => {
      const d = decodeMessage(m);
      return d.ok ? d.rows.map((r) => (r as number[])[1]) : [];
    });
    expect(seqs).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('honours maxRecords and refuses a record too large for any message', () => {
    const packer = new MessagePacker({ maxBytes: 10_000, maxRecords: 3 }, () => 'b');
    const done = [1, 2, 3, 4].map((seq) => packer.add(record({ seq })));
    expect(done.filter(Boolean)).toHaveLength(1);
    expect(() => new MessagePacker({ maxBytes: 40 }, () => 'b').add(record())).toThrow(
      /more than a message may hold/,
    );
  });
});

describe('hostile envelopes', () => {
  const deep = (n: number, inner = '1') => '['.repeat(n) + inner + ']'.repeat(n);

  it.each([
    ['inside r', `{"v":1,"b":"x","r":[${deep(10_000)}]}`],
    ['as v', `{"v":${deep(10_000)},"b":"x","r":[]}`],
    ['at top level', deep(10_000)],
    ['as objects', `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`],
  ])('refuses JSON nested 10,000 deep %s, before parsing it', (_where, body) => {
    const decoded = decodeMessage(body);
    expect(!decoded.ok && decoded.reason).toContain('more than 16 levels deep');
  });

  it('counts nesting outside strings only', () => {
    expect(nestingDepth('{"a":"[[[[{{{{\\"[[["}', 16)).toBe(1);
    expect(nestingDepth('[[1],[[2]]]', 16)).toBe(3);
  });

  it('reads a body with a UTF-8 byte-order mark the same as bytes and as a string', () => {
    const body = `\uFEFF${encodeMessage('b', [record()])}`;
    const fromString = decodeMessage(body);
    const fromBytes = decodeMessage(new TextEncoder().encode(body));
    expect(fromString.ok).toBe(true);
    expect(fromBytes).toEqual(fromString);
  });

  it('refuses a body larger than any transport carries', () => {
    const decoded = decodeMessage(new Uint8Array(MAX_MESSAGE_BYTES + 1));
    expect(!decoded.ok && decoded.reason).toContain(`over the ${MAX_MESSAGE_BYTES}`);
  });

  it('keeps a reason short however large the unknown version is', () => {
    const decoded = decodeMessage(`{"v":"${'x'.repeat(1_000_000)}","b":"x","r":[]}`);
    expect(!decoded.ok && decoded.reason.length).toBeLessThan(300);
  });
});

describe('rows as sent', () => {
  it('finds each row of "r" as its text, whatever else the envelope holds', () => {
    const text = '{"b":"r","x":{"r":[1,2]},"v":1, "r" : [ ["S",1e999,2] ,{"a":[1,[2]]},"s,t"], "z":[3]}';
    expect(rowTexts(text)).toEqual(['["S",1e999,2]', '{"a":[1,[2]]}', '"s,t"']);
    expect(rowTexts('{"v":1,"b":"x","r":[]}')).toEqual([]);
  });
});
