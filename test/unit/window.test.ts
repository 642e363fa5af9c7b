import { describe, expect, it } from 'vitest';
import {
  LatenessGate,
  parseDuration,
  parseWindow,
  parseWindows,
  windowStart,
} from '../../shared/core/index.ts';

describe('windows', () => {
  it.each([
    ['250ms', 250],
    ['30s', 30_000],
    ['1m', 60_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['1d', 86_400_000],
  ])('parses %s', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '1', 'm', '0m', '-1m', '1.5m', '1w'])('rejects the duration %j with a hint', (text) => {
    expect(() => parseDuration(text)).toThrow(/like 250ms, 30s, 1m/);
  });

  it('names the option or variable the duration came from', () => {
    expect(() => parseDuration('often', '--sync-every')).toThrow(/^--sync-every: 'often' is not a duration/);
    expect(() => parseDuration('1.5m', 'TRICLOUD_SYNC_BUDGET')).toThrow(/^TRICLOUD_SYNC_BUDGET: '1.5m'/);
  });

  it('rejects window sizes that do not tile a day, and repeated sizes', () => {
    expect(() => parseWindow('7m')).toThrow(/does not divide a day evenly/);
    expect(() => parseWindows('1m,1m')).toThrow(/repeat/);
    expect(parseWindows('1m, 1h').map((w) => w.name)).toEqual(['1m', '1h']);
  });

  it('assigns boundaries to the window they start', () => {
    const minute = 60_000;
    expect(windowStart(1_700_000_040_000, minute)).toBe(1_700_000_040_000);
    expect(windowStart(1_700_000_039_999, minute)).toBe(1_699_999_980_000);
    expect(windowStart(0, minute)).toBe(0);
  });
});

describe('LatenessGate', () => {
  it('passes records within maxLateness of the newest seen, and explains the late ones', () => {
    const gate = new LatenessGate(60_000);
    gate.observe('S', 1_000_000);
    expect(gate.judge('S', 940_000)).toBeUndefined();
    expect(gate.judge('S', 939_999)).toMatch(
      /^late: ts 939999 is 60001 ms older than the newest event time seen for S/,
    );
    expect(gate.judge('OTHER', 0)).toBeUndefined();
  });
});
