import { describe, expect, it } from 'vitest';
import {
  createIngest,
  encodeMessage,
  FANOUT,
  parseWindows,
  UnavailableError,
} from '../../shared/core/index.ts';
import { MemoryStore, SteppingClock } from '../../shared/core/testing/index.ts';
import { messagesOf, record, T0 } from '../helpers/records.ts';
import { summaryTreeProblems } from '../helpers/summary-tree.ts';

function setup(options: { maxLatenessMs?: number; windows?: string } = {}) {
  const store = new MemoryStore();
  const deadLetters = new MemoryStore();
  const ingest = createIngest(
    { store, deadLetters, clock: new SteppingClock(), random: () => 0.5 },
    { origin: 'aws', windows: parseWindows(options.windows ?? '1m'), maxLatenessMs: options.maxLatenessMs },
  );
  return { store, deadLetters, ingest };
}

describe('ingest', () => {
  it('does one batched read, then one conditional write per slice and per window touched, not per record', async () => {
    const { store, ingest } = setup({ windows: '1m,1h' });
    const records = Array.from({ length: 600 }, (_, i) => record({ seq: i, ts: T0 + i * 100 }));
    const { report } = await ingest(messagesOf(records, 100));
    // 600 records over 60 s: 2 one-minute windows and 1 hour window, each with one slice (seqs below 65,536).
    expect(report).toMatchObject({ documents: 3, slices: 3 });
    expect(store.counters).toMatchObject({ readCalls: 1, reads: 6, writes: 6 });
    expect(report).toMatchObject({ valid: 600, added: 1_200, skipped: 0, writes: 6 });
  });

  it('skips seqs already in the part and writes nothing for a redelivery', async () => {
    const { store, ingest } = setup();
    const messages = messagesOf([record({ seq: 1 }), record({ seq: 2 })]);
    await ingest(messages);
    const { report } = await ingest(messages);
    expect(report).toMatchObject({ added: 0, skipped: 2, writes: 0 });
    // The first delivery's slice and window; the redelivery wrote nothing.
    expect(store.counters.writes).toBe(2);
  });

  it('aggregates the valid records of a message and dead-letters the others with reasons', async () => {
    const { store, deadLetters, ingest } = setup();
    const body = JSON.stringify({
      v: 1,
      b: 'b1',
      r: [
        ['S', 1, T0, 10, 1],
        ['S', 1.5, T0, 10, 1],
        ['S', 2, T0, 'x'],
      ],
    });
    const { failedMessageIds, report } = await ingest([{ id: 'm1', body }]);
    expect(failedMessageIds).toEqual([]);
    expect(report).toMatchObject({ valid: 1, invalid: 2, deadLetters: 2 });
    expect([...store.docs.values()][0]?.merged.aggregate.count).toBe(1);
    expect(deadLetters.deadLetters.get('m1#1')).toMatchObject({
      messageId: 'm1',
      batchId: 'b1',
      row: 1,
      reason: 'seq must be an integer from 0 to 2^53 − 1, got 1.5',
      payload: '["S",1.5,1700000000000,10,1]',
    });
    expect(deadLetters.deadLetters.get('m1#2')?.reason).toBe(
      'value must be a finite number within ±1e125, got "x"',
    );
  });

  it('dead-letters an undecodable message whole, keeping its payload, and does not fail it', async () => {
    const { deadLetters, ingest } = setup();
    const { failedMessageIds, report } = await ingest([{ id: 'bad', body: '{"v":9}' }]);
    expect(failedMessageIds).toEqual([]);
    expect(report.undecodable).toBe(1);
    expect(deadLetters.deadLetters.get('bad')).toMatchObject({
      payload: '{"v":9}',
      reason: expect.stringContaining('version 9'),
    });
  });

  it('fails only the messages whose documents could not be written', async () => {
    const { store, ingest } = setup();
    store.injectFailures(new Error('disk on fire'));
    const messages = [
      { id: 'a', body: encodeMessage('b', [record({ series: 'A', seq: 1 })]) },
      { id: 'b', body: encodeMessage('b', [record({ series: 'B', seq: 1 })]) },
    ];
    const { failedMessageIds, report } = await ingest(messages);
    expect(failedMessageIds).toHaveLength(1);
    expect(report.failedDocuments).toBe(1);
    expect(report.firstError).toBe('Error: disk on fire');
  });

  it('retries conflicts and transient errors, then succeeds', async () => {
    const { store, ingest } = setup();
    await ingest(messagesOf([record({ seq: 1 })]));
    store.injectConflicts(3);
    store.injectFailures(new UnavailableError('blip'));
    const { failedMessageIds, report } = await ingest(messagesOf([record({ seq: 2 })]));
    expect(failedMessageIds).toEqual([]);
    // The slice lost three conditional writes and one to the outage; then it and its window were written.
    expect(report).toMatchObject({ conflicts: 3, retries: 1, writes: 2 });
  });

  it('fails the messages whose dead letters could not be stored, so they come back', async () => {
    const { deadLetters, ingest } = setup();
    deadLetters.down = true;
    const body = JSON.stringify({ v: 1, b: 'b', r: [['S', -1, T0, 1]] });
    expect((await ingest([{ id: 'm', body }])).failedMessageIds).toEqual(['m']);
  });

  it('dead-letters records later than maxLateness with reason late', async () => {
    const { deadLetters, ingest } = setup({ maxLatenessMs: 60_000 });
    const records = [
      record({ seq: 1, ts: T0 + 600_000 }),
      record({ seq: 2, ts: T0 }),
      record({ seq: 3, ts: T0 + 590_000 }),
    ];
    const { report } = await ingest(messagesOf(records));
    expect(report).toMatchObject({ valid: 2, late: 1 });
    expect(deadLetters.deadLetters.get('m0#1')?.reason).toMatch(/^late: /);
  });
});

describe('ingest into bounded slices', () => {
  it('deals a window to one slice per 65,536 seqs and keeps the window exact', async () => {
    const { store, ingest } = setup();
    const seqs = [5, 70_000, 64 * 65_536 + 3, 2 ** 50];
    const { report } = await ingest(messagesOf(seqs.map((seq) => record({ seq, value: seq }))));
    expect(report).toMatchObject({ documents: 1, slices: 4, added: 4 });
    const window = [...store.docs.values()].find((d) => d.kind === 'window');
    expect(window?.kind === 'window' && Object.keys(window.entries).sort()).toEqual([
      '0',
      '1',
      '17179869184',
      '64',
    ]);
    expect(window?.merged.aggregate).toMatchObject({ count: 4, high: 2 ** 50, low: 5 });
  });

  it('takes 14,000 ids each in a slice of its own: the window becomes a tree of bounded summaries, nothing is refused', async () => {
    const { store, deadLetters, ingest } = setup();
    const sparse = Array.from({ length: 14_000 }, (_, i) => record({ seq: i * 64 * 65_536, value: i }));
    const first = await ingest(messagesOf(sparse.slice(0, 8_000), 1_000));
    const { failedMessageIds, report } = await ingest(messagesOf(sparse.slice(8_000), 1_000, 'n'));
    expect(failedMessageIds).toEqual([]);
    expect(first.report.added + report.added).toBe(14_000);
    expect(deadLetters.deadLetters.size).toBe(0);
    const window = [...store.docs.values()].find((d) => d.kind === 'window');
    expect(window?.split).toBe(true);
    expect(window?.merged.aggregate).toMatchObject({ count: 14_000, high: 13_999, low: 0 });
    expect(store.count('node')).toBeGreaterThan(FANOUT);
    expect(summaryTreeProblems(store.docs)).toEqual([]);
    // Redelivered, the same messages change nothing and write nothing.
    const again = await ingest(messagesOf(sparse.slice(8_000), 1_000, 'n'));
    expect(again.report).toMatchObject({ added: 0, writes: 0 });
  });
});

describe('ingest of hostile messages', () => {
  it('keeps a hundred letters of a message of 100,000 bad rows, and one more with the rest, and takes its good rows', async () => {
    const { store, deadLetters, ingest } = setup();
    const rows: unknown[] = Array.from({ length: 100_000 }, (_, i) => ['S', -1 - i, T0, 1]);
    rows.push(['S', 7, T0, 5, 1]);
    const { failedMessageIds, report } = await ingest([
      { id: 'flood', body: JSON.stringify({ v: 1, b: 'b', r: rows }) },
    ]);
    expect(failedMessageIds).toEqual([]);
    expect(report).toMatchObject({ invalid: 100_000, valid: 1, deadLetters: 101, added: 1 });
    expect(deadLetters.deadLetters.size).toBe(101);
    const rest = deadLetters.deadLetters.get('flood#more')!;
    expect(rest.reason).toBe(
      '99900 more invalid rows, past the 100 kept one by one; by reason: 99900 × seq must be an integer from 0 to 2^53 − 1. The payload holds them as [row, value] pairs, to correct and replay.',
    );
    expect(JSON.parse(rest.payload)[0]).toEqual([100, ['S', -101, T0, 1]]);
    expect([...store.docs.values()].find((d) => d.kind === 'window')?.merged.aggregate.count).toBe(1);
  });

  it.each([
    [1e308, 1e308, 'value must be a finite number within ±1e125, got 1e+308'],
    [5, 1e200, 'qty must be a finite number from 0 to 1e125, got 1e+200'],
    [-2e125, 1, 'value must be a finite number within ±1e125, got -2e+125'],
  ])('refuses value %d × qty %d, which could overflow a sum, with a reason', async (value, qty, reason) => {
    const { deadLetters, ingest } = setup();
    await ingest([{ id: 'm', body: JSON.stringify({ v: 1, b: 'b', r: [['S', 1, T0, value, qty]] }) }]);
    expect(deadLetters.deadLetters.get('m#0')?.reason).toBe(reason);
  });

  it('names the upper bound of seq', async () => {
    const { deadLetters, ingest } = setup();
    await ingest([{ id: 'm', body: `{"v":1,"b":"b","r":[["S",9007199254740993,${T0},1]]}` }]);
    expect(deadLetters.deadLetters.get('m#0')?.reason).toBe(
      'seq must be an integer from 0 to 2^53 − 1, got 9007199254740992',
    );
  });
});

describe('letters keep rows as they were sent', () => {
  it('keeps 1e999 and a seq past 2^53 as written, not as parsing made them', async () => {
    const { deadLetters, ingest } = setup();
    const body = `{"v":1,"b":"b","r":[["S",1,${T0},1e999],["S",9007199254740993,${T0},1]]}`;
    await ingest([{ id: 'm', body }]);
    expect(deadLetters.deadLetters.get('m#0')).toMatchObject({
      payload: `["S",1,${T0},1e999]`,
      reason: 'value must be a finite number within ±1e125, got Infinity',
    });
    expect(deadLetters.deadLetters.get('m#1')?.payload).toBe(`["S",9007199254740993,${T0},1]`);
  });
});
