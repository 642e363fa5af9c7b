/** Dead letters counted by the rule they broke, not by the value each reason quotes. */
import { describe, expect, it } from 'vitest';
import { reasonRule, summarizeDeadLetters } from '../../scripts/status/dead-letter-reasons.ts';
import { decodeMessage, validateRecord } from '../../shared/core/index.ts';

const HOUR = 3_600_000;
const NOW = 1_700_000_000_000;

describe('reasonRule', () => {
  it.each([
    ['seq must be an integer from 0 to 2^53 − 1, got 1.5', 'seq must be an integer from 0 to 2^53 − 1'],
    ['seq must be an integer from 0 to 2^53 − 1, got -101', 'seq must be an integer from 0 to 2^53 − 1'],
    [
      'series must be 1-128 characters of A-Z a-z 0-9 . _ : -, got "a/b"',
      'series must be 1-128 characters of A-Z a-z 0-9 . _ : -',
    ],
    [
      'the store refused it for good (too-large): PermanentStoreError: item of 400001 bytes',
      'the store refused it for good (too-large)',
    ],
    [
      'late: ts 1 is 5000 ms older than the newest event time seen for X (5001), more than maxLateness 10 ms',
      'late: older than the maximum lateness allows',
    ],
    [
      'the function could not read this message (TypeError: x is undefined); none of its records were taken',
      'the function could not read this message',
    ],
    [
      '250 more invalid rows, past the 100 kept one by one; by reason: 250 × seq must be …',
      'more invalid rows than are kept one by one',
    ],
  ])('%s → %s', (reason, rule) => {
    expect(reasonRule(reason)).toBe(rule);
  });

  it("gives the same rule for the core's own reasons whatever value they quote", () => {
    const reasons = [1.5, -3, 'x'].map((seq) => {
      const checked = validateRecord({ series: 'S', seq, ts: NOW, value: 1, qty: 1 });
      if (checked.ok) throw new Error('expected an invalid record');
      return checked.reason;
    });
    expect(new Set(reasons.map(reasonRule)).size).toBe(1);
  });

  it('drops the parser message of an undecodable body', () => {
    const decoded = decodeMessage('{"v":1,');
    if (decoded.ok) throw new Error('expected an undecodable body');
    expect(reasonRule(decoded.reason)).toBe('the message body is not valid JSON');
  });
});

describe('summarizeDeadLetters', () => {
  const letters = [
    { reason: 'seq must be an integer from 0 to 2^53 − 1, got 1.5', at: NOW - 2 * HOUR },
    { reason: 'seq must be an integer from 0 to 2^53 − 1, got 2.5', at: NOW - 10 },
    { reason: 'the store refused it for good (missing): no table', at: NOW - 20 },
  ];

  it('counts by rule, most frequent first, with the newest letter of each', () => {
    const summary = summarizeDeadLetters(letters, NOW);
    expect(summary.byReason).toEqual([
      { reason: 'seq must be an integer from 0 to 2^53 − 1', count: 2, lastAt: NOW - 10 },
      { reason: 'the store refused it for good (missing)', count: 1, lastAt: NOW - 20 },
    ]);
    expect(summary.total).toBe(3);
    expect(summary.complete).toBe(true);
  });

  it('counts the last hour and the whole messages the store refused', () => {
    const summary = summarizeDeadLetters(letters, NOW, false);
    expect(summary.lastHour).toBe(2);
    expect(summary.refusedMessages).toBe(1);
    expect(summary.complete).toBe(false);
  });

  it('says none for an empty store', () => {
    expect(summarizeDeadLetters([], NOW)).toEqual({
      total: 0,
      lastHour: 0,
      refusedMessages: 0,
      byReason: [],
      complete: true,
    });
  });
});
