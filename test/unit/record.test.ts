import { describe, expect, it } from 'vitest';
import { validateRecord, validateRow } from '../../shared/core/index.ts';

const T = 1_700_000_000_123;

describe('validateRecord', () => {
  it('accepts the DESIGN example and defaults qty to 1', () => {
    expect(validateRecord({ series: 'BTCUSDT', seq: 4182, ts: T, value: 37000.5 })).toEqual({
      ok: true,
      record: { series: 'BTCUSDT', seq: 4182, ts: T, value: 37000.5, qty: 1 },
    });
  });

  it('accepts every character of the series alphabet and 128 characters', () => {
    const series = 'Az09._:-'.padEnd(128, 'x');
    expect(validateRecord({ series, seq: 0, ts: T, value: -1, qty: 0 }).ok).toBe(true);
  });

  it('refuses a time in seconds, which would land in January 1970', () => {
    expect(validateRow(['S', 1, 1_700_000_000, 1])).toEqual({
      ok: false,
      reason: 'ts must be an integer epoch-milliseconds time from 2000-01-01 to 2100-01-01, got 1700000000',
    });
  });

  it.each([
    [
      { series: 'BTC/USD', seq: 1, ts: T, value: 1 },
      'series must be 1-128 characters of A-Z a-z 0-9 . _ : -, got "BTC/USD"',
    ],
    [{ series: '', seq: 1, ts: T, value: 1 }, 'series must be 1-128 characters'],
    [{ series: 'x'.repeat(129), seq: 1, ts: T, value: 1 }, 'series must be 1-128 characters'],
    [
      { series: 42, seq: 1, ts: T, value: 1 },
      'series must be 1-128 characters of A-Z a-z 0-9 . _ : -, got 42',
    ],
    [{ seq: 1, ts: T, value: 1 }, 'series is missing'],
    [{ series: 'S', seq: 1.5, ts: T, value: 1 }, 'seq must be an integer from 0 to 2^53 − 1, got 1.5'],
    [{ series: 'S', seq: -1, ts: T, value: 1 }, 'seq must be an integer from 0 to 2^53 − 1, got -1'],
    [
      { series: 'S', seq: 2 ** 53, ts: T, value: 1 },
      'seq must be an integer from 0 to 2^53 − 1, got 9007199254740992',
    ],
    [{ series: 'S', seq: '7', ts: T, value: 1 }, 'seq must be an integer from 0 to 2^53 − 1, got "7"'],
    [
      { series: 'S', seq: 1, ts: 1.7e15, value: 1 },
      'ts must be an integer epoch-milliseconds time from 2000-01-01 to 2100-01-01, got 1700000000000000',
    ],
    [{ series: 'S', seq: 1, ts: -5, value: 1 }, 'ts must be an integer epoch-milliseconds time'],
    [
      { series: 'S', seq: 1, ts: T, value: Number.NaN },
      'value must be a finite number within ±1e125, got NaN',
    ],
    [
      { series: 'S', seq: 1, ts: T, value: Number.POSITIVE_INFINITY },
      'value must be a finite number within ±1e125, got Infinity',
    ],
    [{ series: 'S', seq: 1, ts: T, value: null }, 'value must be a finite number within ±1e125, got null'],
    [
      { series: 'S', seq: 1, ts: T, value: 1, qty: -0.5 },
      'qty must be a finite number from 0 to 1e125, got -0.5',
    ],
    [
      { series: 'S', seq: 1, ts: T, value: 1, qty: Number.NaN },
      'qty must be a finite number from 0 to 1e125, got NaN',
    ],
    ['{"series":"S"}', 'a record must be a JSON object'],
    [[1, 2], 'a record must be a JSON object'],
  ])('rejects %j: %s', (input, reason) => {
    const result = validateRecord(input);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toContain(reason);
  });

  it('cuts long values short in reasons', () => {
    const result = validateRecord({ series: 'y'.repeat(500), seq: 1, ts: T, value: 1 });
    expect(!result.ok && result.reason.length).toBeLessThan(200);
  });
});

describe('validateRow', () => {
  it('accepts rows of 4 and 5 items', () => {
    expect(validateRow(['S', 1, T, 2])).toEqual({
      ok: true,
      record: { series: 'S', seq: 1, ts: T, value: 2, qty: 1 },
    });
    expect(validateRow(['S', 1, T, 2, 0])).toEqual({
      ok: true,
      record: { series: 'S', seq: 1, ts: T, value: 2, qty: 0 },
    });
  });

  it.each([
    [['S', 1.5, T, 2], 'seq must be an integer from 0 to 2^53 − 1, got 1.5'],
    [['S', 1, T, 2, -1], 'qty must be a finite number from 0 to 1e125, got -1'],
    [['S', 1, T], 'a record row must be an array [series, seq, ts, value, qty?] of 4 or 5 items'],
    [['S', 1, T, 2, 1, 'extra'], 'of 4 or 5 items'],
    [{ series: 'S' }, 'a record row must be an array'],
  ])('rejects %j: %s', (row, reason) => {
    const result = validateRow(row);
    expect(!result.ok && result.reason).toContain(reason);
  });
});

describe('reasons', () => {
  it('never cut a character in two when they shorten what they quote', () => {
    const long = `${'é€'.repeat(37)}é${'😀'.repeat(9)}`;
    const checked = validateRow([long, 1, T, 1, 1]);
    const reason = !checked.ok ? checked.reason : '';
    expect(reason).toMatch(/\.\.\.$/);
    // No lone half of a surrogate pair: encoding to UTF-8 and back changes nothing.
    expect(new TextDecoder().decode(new TextEncoder().encode(reason))).toBe(reason);
  });
});
