/**
 * Dead letters sized in bytes (issue 15): whatever the payload and reason, the stored item stays under 350 KB in
 * every store's own measure, cut on character boundaries, and the letters are written in bounded batches.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  cutText,
  deadLetterBatches,
  deadLetterItem,
  MAX_ITEM_BYTES,
  MAX_REASON_BYTES,
  sizedDeadLetterItem,
  storedBytes,
} from '../../shared/clouds/dead-letter-item.ts';
import { forEachBounded } from '../../shared/clouds/for-each-bounded.ts';
import type { DeadLetter } from '../../shared/core/index.ts';

function letter(overrides: Partial<DeadLetter> = {}): DeadLetter {
  return {
    id: 'm-1#3',
    origin: 'azure',
    messageId: 'm-1',
    batchId: 'run-1',
    row: 3,
    reason: 'qty must be a finite number ≥ 0',
    payload: '["BTCUSDT",3,1700000000000,1,-1]',
    at: 1_700_000_000_000,
    ...overrides,
  };
}

/** The item as Cosmos DB stores it (JSON, escapes included): the largest of the three stores' measures. */
function jsonBytes(item: object): number {
  return Buffer.byteLength(JSON.stringify(item), 'utf8');
}

/** True when a text holds half of a surrogate pair: a cut through a character. */
function hasLoneSurrogate(text: string): boolean {
  return /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(text);
}

describe('dead letter item sizes', () => {
  it('keeps a small letter whole and gives its payload size in UTF-8 bytes', () => {
    const payload = '["ÉTH€",1]';
    const item = deadLetterItem(letter({ payload }));
    expect(item).toMatchObject({
      payload,
      payloadTruncated: false,
      payloadLength: 13,
      reason: letter().reason,
    });
  });

  it.each([
    ['a three-byte character', '€'],
    ['a two-byte character', 'é'],
    ['a four-byte emoji (a surrogate pair)', '😀'],
    ['ASCII with quotes and backslashes', '"\\'],
    ['control characters (six bytes each in JSON)', '\u0001\u0002'],
  ])('cuts a 1 MB payload of %s below the item limit on a character boundary', (_name, unit) => {
    const payload = unit.repeat(Math.ceil(1_000_000 / Buffer.byteLength(unit)));
    const { item, bytes } = sizedDeadLetterItem(letter({ payload }));
    expect(item.payloadTruncated).toBe(true);
    expect(item.payloadLength).toBe(Buffer.byteLength(payload, 'utf8'));
    expect(payload.startsWith(item.payload)).toBe(true);
    expect(hasLoneSurrogate(item.payload)).toBe(false);
    expect(jsonBytes(item)).toBeLessThanOrEqual(bytes);
    expect(bytes).toBeLessThanOrEqual(MAX_ITEM_BYTES);
    // Cut only as far as needed: the payload takes all but a few KB of the item.
    expect(storedBytes(item.payload)).toBeGreaterThan(MAX_ITEM_BYTES - 4_096);
  });

  it('cuts a huge reason to 2 KB, marked with an ellipsis', () => {
    const reason = `bad row: ${'é'.repeat(100_000)}`;
    const item = deadLetterItem(letter({ reason }));
    expect(Buffer.byteLength(item.reason, 'utf8')).toBeLessThanOrEqual(MAX_REASON_BYTES);
    expect(Buffer.byteLength(item.reason, 'utf8')).toBeGreaterThan(MAX_REASON_BYTES - 8);
    expect(item.reason.endsWith('…')).toBe(true);
    expect(reason.startsWith(item.reason.slice(0, -1))).toBe(true);
  });

  it('caps the reason of an unknown envelope version, which once repeated the version in full', () => {
    // The sink does not count on the core capping its reasons: this is how the reason read before it did.
    const v = '版'.repeat(300_000);
    const body = JSON.stringify({ v, b: 'x', r: [] });
    const reason = `unknown envelope version ${JSON.stringify(v)}; this function reads version 1: upgrade the functions before the producers`;
    const { item, bytes } = sizedDeadLetterItem(letter({ id: 'm-2', row: undefined, reason, payload: body }));
    expect(item.reason).toMatch(/^unknown envelope version "版+…$/);
    expect(storedBytes(item.reason)).toBeLessThanOrEqual(MAX_REASON_BYTES);
    expect(item).toMatchObject({ payloadTruncated: true, payloadLength: Buffer.byteLength(body, 'utf8') });
    expect(jsonBytes(item)).toBeLessThanOrEqual(bytes);
    expect(bytes).toBeLessThanOrEqual(MAX_ITEM_BYTES);
  });

  it('keeps every item under the limit, even with oversized ids, references and reason at once', () => {
    const { item, bytes } = sizedDeadLetterItem(
      letter({
        id: `${'/'.repeat(500)}#1`,
        messageId: '\u0000'.repeat(200_000),
        batchId: '"'.repeat(200_000),
        reason: '\\'.repeat(200_000),
        payload: '😀'.repeat(300_000),
      }),
    );
    expect(storedBytes(item.messageId)).toBeLessThanOrEqual(1_024);
    expect(storedBytes(item.batchId ?? '')).toBeLessThanOrEqual(1_024);
    expect(jsonBytes({ ...item, id: encodeURIComponent(item.id) })).toBeLessThanOrEqual(bytes);
    expect(bytes).toBeLessThanOrEqual(MAX_ITEM_BYTES);
  });

  it('cuts any text to the longest prefix that fits, never through a character', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 200 }),
        fc.integer({ min: 0, max: 400 }),
        fc.constantFrom('', '…'),
        (text, maxBytes, marker) => {
          const cut = cutText(text, maxBytes, marker);
          expect(cut.bytes).toBe(storedBytes(cut.text));
          expect(cut.utf8Bytes).toBe(Buffer.byteLength(cut.text, 'utf8'));
          expect(cut.bytes).toBeLessThanOrEqual(maxBytes);
          // The stored measure is exactly the JSON text's UTF-8 bytes, quotes aside.
          expect(Buffer.byteLength(JSON.stringify(cut.text), 'utf8') - 2).toBe(cut.bytes);
          if (!cut.truncated) {
            expect(cut.text).toBe(text);
            return;
          }
          const kept = cut.text === '' ? '' : cut.text.slice(0, cut.text.length - marker.length);
          expect(text.startsWith(kept)).toBe(true);
          expect(hasLoneSurrogate(kept)).toBe(hasLoneSurrogate(text.slice(0, kept.length)));
          // Maximal: one more character (a whole pair) would not fit.
          const next = (text.codePointAt(kept.length) ?? 0) > 0xffff ? 2 : 1;
          const longer = text.slice(0, kept.length + next);
          expect(storedBytes(longer) + storedBytes(marker)).toBeGreaterThan(maxBytes);
        },
      ),
    );
  });
});

describe('dead letter batches', () => {
  it('stays within the count and byte limits and takes every letter once', () => {
    const letters = Array.from({ length: 1_000 }, (_, i) =>
      letter({ id: `m#${i}`, payload: i % 10 === 0 ? '€'.repeat(400_000) : `[${i}]` }),
    );
    const batches = [...deadLetterBatches(letters, { maxItems: 25, maxBytes: 1_000_000 })];
    for (const batch of batches) {
      expect(batch.length).toBeLessThanOrEqual(25);
      const bytes = batch.reduce((sum, item) => sum + jsonBytes(item), 0);
      expect(bytes).toBeLessThanOrEqual(1_000_000);
    }
    expect(batches.flat().map((item) => item.id)).toEqual(letters.map((l) => l.id));
  });

  it('never puts one id twice in a batch', () => {
    const letters = ['a', 'b', 'a', 'c', 'c'].map((id) => letter({ id }));
    const batches = [...deadLetterBatches(letters, { maxItems: 25, maxBytes: 16_000_000 })];
    expect(batches.map((b) => b.map((item) => item.id))).toEqual([['a', 'b'], ['a', 'c'], ['c']]);
  });

  it('makes items only when a batch is asked for', () => {
    const batches = deadLetterBatches(
      Array.from({ length: 100 }, (_, i) => letter({ id: `m#${i}` })),
      { maxItems: 10, maxBytes: 16_000_000 },
    );
    expect(batches.next().value).toHaveLength(10);
  });
});

describe('bounded concurrency', () => {
  it('never has more than the limit in flight and does every element', async () => {
    let inFlight = 0;
    let most = 0;
    const done: number[] = [];
    await forEachBounded(
      Array.from({ length: 1_000 }, (_, i) => i),
      8,
      async (i) => {
        most = Math.max(most, ++inFlight);
        await new Promise((resolve) => setImmediate(resolve));
        inFlight--;
        done.push(i);
      },
    );
    expect(most).toBe(8);
    expect(done.sort((a, b) => a - b)).toEqual(Array.from({ length: 1_000 }, (_, i) => i));
  });

  it('takes no new element after a failure and throws the first error', async () => {
    const started: number[] = [];
    const run = forEachBounded(
      Array.from({ length: 1_000 }, (_, i) => i),
      4,
      async (i) => {
        started.push(i);
        await new Promise((resolve) => setImmediate(resolve));
        if (i === 10) throw new Error('store down at 10');
        if (i > 10) throw new Error(`later failure ${i}`);
      },
    );
    await expect(run).rejects.toThrow('store down at 10');
    expect(Math.max(...started)).toBeLessThan(10 + 4);
  });
});
