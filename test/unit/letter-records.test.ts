/**
 * The records a dead letter holds, as `tricloud dead-letters export` writes them (`scripts/dead-letters/
 * letter-records.ts`): each field's text as sent, a `deadLetter` field saying where from, lines that
 * `tricloud produce --file` reads as they are — refusing what is still wrong, taking what was corrected.
 */
import { describe, expect, it } from 'vitest';
import { parseNdjsonLine } from '../../producers/record-lines.ts';
import type { Letter } from '../../scripts/dead-letters/letter.ts';
import { letterRecords } from '../../scripts/dead-letters/letter-records.ts';

function letter(overrides: Partial<Letter>): Letter {
  return {
    cloud: 'aws',
    source: 'store',
    kind: 'record',
    id: 'm1#0',
    at: 1_700_000_000_000,
    reason: 'qty must be a finite number from 0 to 1e125, got -1',
    messageId: 'm1',
    row: 0,
    payload: '["BTCUSDT",7,1700000000000,10.5,-1]',
    payloadTruncated: false,
    payloadBytes: 35,
    attempts: { count: 1, note: '' },
    where: 'DynamoDB table t',
    ...overrides,
  };
}

function lines(l: Letter): string[] {
  const records = letterRecords(l);
  if ('none' in records) throw new Error(records.none);
  return records.lines;
}

describe('letterRecords', () => {
  it('writes a refused row as the record object, each field as sent, with where it came from', () => {
    const [line] = lines(letter({}));
    expect(line).toBe(
      '{"series":"BTCUSDT","seq":7,"ts":1700000000000,"value":10.5,"qty":-1,' +
        '"deadLetter":{"cloud":"aws","id":"m1#0","row":0,"reason":"qty must be a finite number from 0 to 1e125, got -1"}}',
    );
    // produce refuses it with the same reason until it is corrected, then takes it as it is.
    expect(parseNdjsonLine(line!)).toEqual({
      ok: false,
      reason: 'qty must be a finite number from 0 to 1e125, got -1',
    });
    expect(parseNdjsonLine(line!.replace('"qty":-1', '"qty":1'))).toEqual({
      ok: true,
      record: { series: 'BTCUSDT', seq: 7, ts: 1_700_000_000_000, value: 10.5, qty: 1 },
    });
  });

  it('keeps what parsing would change: 1e999 and a seq past 2^53 stay as written', () => {
    const [line] = lines(letter({ payload: '["X",9007199254740993,1700000000000,1e999]' }));
    expect(line).toContain('"seq":9007199254740993,');
    expect(line).toContain('"value":1e999,');
    expect(line).not.toContain('"qty"');
  });

  it('keeps a row that is not four or five values whole, for a person to rewrite', () => {
    const [line] = lines(letter({ payload: '{"series":"X"}' }));
    expect(JSON.parse(line!)).toMatchObject({ row: { series: 'X' }, deadLetter: { id: 'm1#0' } });
    expect(parseNdjsonLine(line!).ok).toBe(false);
  });

  it('writes every row of the letter that holds the rows past the hundred', () => {
    const out = lines(
      letter({
        kind: 'records',
        id: 'm1#more',
        row: undefined,
        payload: '[[100,["A",1,1700000000000,1,-1]],[101,["B",2,1700000000000,2,-2]]]',
      }),
    );
    expect(out.map((l) => JSON.parse(l))).toMatchObject([
      { series: 'A', seq: 1, qty: -1, deadLetter: { id: 'm1#more', row: 100 } },
      { series: 'B', seq: 2, qty: -2, deadLetter: { id: 'm1#more', row: 101 } },
    ]);
  });

  it('writes every row of a whole message that exhausted its deliveries', () => {
    const payload = '{"v":1,"b":"b1","r":[["A",1,1700000000000,1,1],["A",2,1700000000001,2]]}';
    const out = lines(letter({ kind: 'exhausted', id: 'sqs:abc', row: undefined, payload }));
    expect(out.map((l) => parseNdjsonLine(l))).toEqual([
      { ok: true, record: { series: 'A', seq: 1, ts: 1_700_000_000_000, value: 1, qty: 1 } },
      { ok: true, record: { series: 'A', seq: 2, ts: 1_700_000_000_001, value: 2, qty: 1 } },
    ]);
  });

  it('reads a body kept as base64 when it is UTF-8 after all', () => {
    const body = '{"v":1,"b":"b1","r":[["A",1,1700000000000,1,1]]}';
    const payload = `base64:${Buffer.from(body).toString('base64')}`;
    expect(lines(letter({ kind: 'undeliverable', row: undefined, payload }))).toHaveLength(1);
  });

  it.each([
    [
      'an unreadable message',
      { kind: 'message' as const, row: undefined, payload: 'not json' },
      'not valid JSON',
    ],
    [
      'bytes that are not UTF-8',
      {
        kind: 'message' as const,
        row: undefined,
        payload: `base64:${Buffer.from([0xff, 0xfe]).toString('base64')}`,
      },
      'not UTF-8',
    ],
    ['a payload the store cut', { payloadTruncated: true, payloadBytes: 500_000 }, '500000-byte payload'],
  ])('holds no record: %s', (_, overrides, why) => {
    const records = letterRecords(letter(overrides));
    expect(records).toEqual({ none: expect.stringContaining(why) });
  });
});
