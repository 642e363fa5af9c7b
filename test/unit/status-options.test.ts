/** `tricloud status`'s options: each bad value is refused with the option's name and what it takes. */
import { describe, expect, it } from 'vitest';
import { readOptions } from '../../scripts/commands/status.ts';

const defaults = { deadline: '10000', port: '0' };

describe('tricloud status options', () => {
  it('reads --every as a duration, --deadline in ms and --port', () => {
    expect(readOptions(defaults)).toEqual({ everyMs: undefined, deadlineMs: 10_000, port: 0 });
    expect(readOptions({ every: '2s', deadline: '1500', port: '8080' })).toEqual({
      everyMs: 2_000,
      deadlineMs: 1_500,
      port: 8_080,
    });
  });

  it.each([
    [{ every: '5' }, /--every: '5' is not a duration/],
    [{ every: '500ms' }, /--every takes a duration from 1s to 1h, not '500ms'/],
    [{ deadline: '0' }, /--deadline takes a whole number from 1 to 600000, not '0'/],
    [{ deadline: '2.5' }, /--deadline takes a whole number/],
    [{ port: '-1' }, /--port takes a whole number from 0 to 65535/],
  ])('refuses %o', (values, message) => {
    expect(() => readOptions({ ...defaults, ...values })).toThrow(message);
  });
});
