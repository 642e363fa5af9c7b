/**
 * Reading one variable of the environment contract: present or absent, a whole number in range, a duration. Every
 * refusal is a {@link ConfigError} that names the variable, what it takes and where the value comes from.
 */
import { ConfigError } from '../../core/errors.ts';
import { parseDuration } from '../../core/window.ts';

/** An environment: `process.env`, an env file read into an object, or a test's literal. */
export type Env = Readonly<Record<string, string | undefined>>;

/** An empty value means unset: `FOO=` in an env file, or a Terraform output left blank. */
export function optional(env: Env, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value === '' ? undefined : value;
}

export function required(env: Env, name: string): string {
  const value = optional(env, name);
  if (value === undefined) {
    throw new ConfigError(
      `The environment variable ${name} is not set. Run 'tricloud stack up --env FILE' and load FILE, or set it to the value for your cloud (see docs/LOCAL-STACK.md).`,
    );
  }
  return value;
}

/** A whole number from `min` to `max`, or `fallback` when unset. */
export function wholeNumber(
  env: Env,
  name: string,
  range: { min: number; max?: number; fallback: number },
): number {
  const text = optional(env, name);
  if (text === undefined) return range.fallback;
  const n = Number(text);
  const { min, max = Number.MAX_SAFE_INTEGER } = range;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    const span = max === Number.MAX_SAFE_INTEGER ? `of at least ${min}` : `from ${min} to ${max}`;
    throw new ConfigError(`${name} must be a whole number ${span}, got '${text}'.`);
  }
  return n;
}

/** A duration such as `50s` or `10m`, in milliseconds; `fallback` (a duration too) when unset. */
export function duration(env: Env, name: string, fallback: string): number;
export function duration(env: Env, name: string): number | undefined;
export function duration(env: Env, name: string, fallback?: string): number | undefined {
  const text = optional(env, name) ?? fallback;
  return text === undefined ? undefined : parseDuration(text, name);
}

/** `true` only for the text `true`; anything else, or unset, is `false`. */
export function flag(env: Env, name: string): boolean {
  return optional(env, name) === 'true';
}

/** One variable for a writer to spread into an env, or none when the value is absent. */
export function variable(name: string, value: string | undefined): Record<string, string> {
  return value === undefined ? {} : { [name]: value };
}
