/**
 * The one reading of a command's option values: whole numbers, numbers, durations, seeds, choices and lists of
 * choices. Each refusal is an {@link OptionError} whose message names the option, what it takes and what it got,
 * so every command says the same thing about the same mistake.
 *
 * @example
 * const records = positiveInt('--records', values.records);
 * const cloud = oneOf('--cloud', values.cloud, ORIGINS); // 'aws' | 'gcp' | 'azure'
 */
import { parseDuration } from '../../shared/core/index.ts';

export class OptionError extends Error {
  /** The option as typed, e.g. `--records`. */
  readonly option: string;

  constructor(option: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'OptionError';
    this.option = option;
  }
}

/** A whole number from `min` to `max` (a safe integer at most). */
export function wholeNumber(
  option: string,
  text: string,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  const n = text.trim() === '' ? Number.NaN : Number(text);
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    const span = max === Number.MAX_SAFE_INTEGER ? `of at least ${min}` : `from ${min} to ${max}`;
    throw new OptionError(option, `${option} takes a whole number ${span}, not '${text}'.`);
  }
  return n;
}

/** A count of things, one at least: records, series, a deadline in ms. */
export function positiveInt(option: string, text: string): number {
  return wholeNumber(option, text, 1);
}

/** A count that may be zero. */
export function nonNegativeInt(option: string, text: string): number {
  return wholeNumber(option, text, 0);
}

/** The largest seed: the generators keep 32 bits of state, so a larger one would repeat a smaller one's stream. */
export const MAX_SEED = 2 ** 32 - 1;

/**
 * A seed of a deterministic stream: any whole number from 0 to {@link MAX_SEED}, each a stream of its own. Zero is a
 * seed like any other (the generators are full-period LCG and mulberry32, for which a zero state is an ordinary
 * state), so `--seed 0` is neither refused nor quietly read as another seed.
 */
export function seed(option: string, text: string): number {
  return wholeNumber(option, text, 0, MAX_SEED);
}

/** A finite number above zero, fractions allowed: a rate of 0.5 records per second. */
export function positiveNumber(option: string, text: string): number {
  const n = text.trim() === '' ? Number.NaN : Number(text);
  if (!Number.isFinite(n) || n <= 0) {
    throw new OptionError(option, `${option} takes a number above 0, not '${text}'.`);
  }
  return n;
}

/** A duration such as `250ms`, `30s` or `5m`, in milliseconds; `range` bounds it, both ends allowed. */
export function duration(option: string, text: string, range?: { min: string; max: string }): number {
  let ms: number;
  try {
    ms = parseDuration(text, option);
  } catch (error) {
    throw new OptionError(option, (error as Error).message, { cause: error });
  }
  if (range !== undefined && (ms < parseDuration(range.min) || ms > parseDuration(range.max))) {
    throw new OptionError(
      option,
      `${option} takes a duration from ${range.min} to ${range.max}, not '${text}'.`,
    );
  }
  return ms;
}

/** `a`, `a or b`, `a, b or c`. */
function alternatives(choices: readonly string[]): string {
  return choices.length < 2 ? (choices[0] ?? '') : `${choices.slice(0, -1).join(', ')} or ${choices.at(-1)}`;
}

/** One of `choices`; `undefined` (the option was not given) is refused too, naming the choices. */
export function oneOf<const T extends string>(
  option: string,
  text: string | undefined,
  choices: readonly T[],
): T {
  if (text === undefined)
    throw new OptionError(option, `${option} is required: give ${alternatives(choices)}.`);
  if (!(choices as readonly string[]).includes(text)) {
    throw new OptionError(option, `${option} takes ${alternatives(choices)}, not '${text}'.`);
  }
  return text as T;
}

/** A comma-separated list of distinct `choices` (`aws,gcp`), at least one, in the order given. */
export function listOf<const T extends string>(option: string, text: string, choices: readonly T[]): T[] {
  const items = text.split(',').map((item) => item.trim());
  const bad = items.find((item) => !(choices as readonly string[]).includes(item));
  if (bad !== undefined) {
    throw new OptionError(
      option,
      `${option} takes a comma-separated list of ${alternatives(choices)}, not '${text}' ('${bad}' is none of them).`,
    );
  }
  if (new Set(items).size !== items.length) {
    throw new OptionError(option, `${option} names a choice twice in '${text}': give each once.`);
  }
  return items as T[];
}
