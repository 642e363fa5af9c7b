/**
 * A dead letter as `tricloud dead-letters` shows it (`scripts/dead-letters/letter.ts`): what kind each stored letter
 * is — judged on letters the core's ingest really writes — the filter of `list` and `export`, the one-line preview.
 */
import { describe, expect, it } from 'vitest';
import { type Letter, matches, preview, storeLetter } from '../../scripts/dead-letters/letter.ts';
import { type DeadLetterItem, deadLetterItem } from '../../shared/clouds/dead-letter-item.ts';
import {
  createIngest,
  type DeadLetter,
  encodeMessage,
  PermanentStoreError,
  parseWindows,
} from '../../shared/core/index.ts';
import { MemoryStore, SteppingClock } from '../../shared/core/testing/index.ts';

/** The letters the core's ingest writes for `bodies`, as a store keeps them. */
async function lettersOf(bodies: string[], refuse = false): Promise<DeadLetterItem[]> {
  const store = new MemoryStore();
  if (refuse) store.injectFailures(new PermanentStoreError('too-large', 'the item is over the limit'));
  const written: DeadLetter[] = [];
  const ingest = createIngest(
    {
      store,
      deadLetters: { put: async (letters) => void written.push(...letters) },
      clock: new SteppingClock(),
    },
    { origin: 'azure', windows: parseWindows('1m'), onPermanentFailure: 'dead-letter' },
  );
  await ingest(bodies.map((body, i) => ({ id: `0:${i}`, body })));
  return written.map(deadLetterItem);
}

const good = { series: 'BTCUSDT', seq: 1, ts: 1_700_000_000_000, value: 10, qty: 1 };

describe('the kind of a stored letter', () => {
  it('is a record for a row the function refused, with its row', async () => {
    const [item] = await lettersOf(['{"v":1,"b":"b","r":[["BTCUSDT",1,1700000000000,10,-1]]}']);
    const letter = storeLetter('azure', item!, 'here');
    expect(letter).toMatchObject({ kind: 'record', row: 0, source: 'store', attempts: { count: 1 } });
  });

  it('is records for the rows past the hundred kept one by one', async () => {
    const rows = Array.from({ length: 105 }, (_, i) => `["BTCUSDT",${i},1700000000000,1,-1]`).join(',');
    const items = await lettersOf([`{"v":1,"b":"b","r":[${rows}]}`]);
    expect(items.map((i) => storeLetter('azure', i, 'here').kind).filter((k) => k === 'records')).toEqual([
      'records',
    ]);
  });

  it('is message for a body the function could not read', async () => {
    const [item] = await lettersOf(['not json']);
    expect(storeLetter('azure', item!, 'here').kind).toBe('message');
  });

  it('is undeliverable for a whole message the store refused for good, as the core words it', async () => {
    const items = await lettersOf([encodeMessage('b', [good])], true);
    expect(items).toHaveLength(1);
    const letter = storeLetter('azure', items[0]!, 'here');
    expect(letter.kind).toBe('undeliverable');
    expect(letter.attempts.count).toBeUndefined();
  });
});

describe('matches', () => {
  const letter = { reason: 'qty must be a finite number, got -1', at: 1_000 } as Letter;

  it.each([
    [{}, true],
    [{ reason: 'QTY MUST' }, true],
    [{ reason: 'seq' }, false],
    [{ since: 1_000 }, true],
    [{ since: 1_001 }, false],
    [{ reason: 'qty', since: 999 }, true],
  ])('%o → %s', (filter, expected) => {
    expect(matches(letter, filter)).toBe(expected);
  });
});

describe('preview', () => {
  it('keeps a short payload whole', () => {
    expect(preview('["BTCUSDT",1]')).toBe('["BTCUSDT",1]');
  });

  it('escapes control characters onto one line', () => {
    expect(preview('a\nb\tc\u0000d')).toBe('a\\nb\\tc\\u0000d');
  });

  it('cuts at the width with an ellipsis, reading only the start', () => {
    const cut = preview('x'.repeat(1_000_000), 10);
    expect(cut).toBe(`${'x'.repeat(9)}…`);
  });

  it('counts characters, never splitting a surrogate pair', () => {
    expect(preview('😀😀😀', 3)).toBe('😀😀😀');
    expect(preview('😀😀😀😀', 3)).toBe('😀😀…');
  });
});
