import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage, MessagePacker } from '../../shared/core/index.ts';
import { record } from '../helpers/records.ts';

describe('envelope', () => {
  it('round-trips records as rows', () => {
    const rs = [record(), record({ seq: 2, qty: 0.01, value: 37000.5 })];
    const decoded = decodeMessage(new TextEncoder().encode(encodeMessage('run-1', rs)));
    expect(decoded).toEqual({
      ok: true,
      batchId: 'run-1',
      rows: rs.map((r) => [r.series, r.seq, r.ts, r.value, r.qty]),
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
