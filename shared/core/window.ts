/**
 * Tumbling UTC windows (DESIGN §2): `start = floor(ts / size) * size`.
 * A window is named by its size as users write it (`1m`, `5m`, `1h`, `1d`); the name is part of document ids.
 */
import { ConfigError } from './errors.ts';

export interface WindowSpec {
  /** Canonical name, e.g. `1m`; part of the document id and of the export format. */
  name: string;
  sizeMs: number;
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DURATION = /^(\d+)(ms|s|m|h|d)$/;

/**
 * Parses a duration such as `250ms`, `30s`, `1m`, `1h`, `1d` into milliseconds: the one grammar of every duration a
 * user writes (window sizes, settings, CLI options). `name` (an option or variable) starts the error message.
 */
export function parseDuration(text: string, name?: string): number {
  const match = DURATION.exec(text.trim());
  const amount = match ? Number(match[1]) : Number.NaN;
  const unit = match?.[2];
  if (!match || unit === undefined || !(amount > 0)) {
    throw new ConfigError(
      `${name ? `${name}: ` : ''}'${text}' is not a duration: write a positive whole number and a unit, like 250ms, 30s, 1m, 5m, 1h or 1d.`,
    );
  }
  return amount * (UNIT_MS[unit] ?? 1);
}

/** Parses a window size. A day must divide evenly into windows so that every day starts a window. */
export function parseWindow(name: string): WindowSpec {
  const sizeMs = parseDuration(name);
  if (86_400_000 % sizeMs !== 0 && sizeMs % 86_400_000 !== 0) {
    throw new ConfigError(
      `window '${name}' does not divide a day evenly; pick a size such as 1m, 5m, 15m, 1h or 1d so windows align to UTC midnight.`,
    );
  }
  return { name: name.trim(), sizeMs };
}

/** Parses a comma-separated list such as `1m,1h`, rejecting duplicates. */
export function parseWindows(list: string): WindowSpec[] {
  const specs = list
    .split(',')
    .filter((s) => s.trim() !== '')
    .map(parseWindow);
  if (specs.length === 0) throw new ConfigError('at least one window size is needed, e.g. 1m.');
  const names = new Set(specs.map((s) => s.name));
  if (names.size !== specs.length) throw new ConfigError(`window sizes repeat in '${list}'.`);
  return specs;
}

export function windowStart(ts: number, sizeMs: number): number {
  return Math.floor(ts / sizeMs) * sizeMs;
}

/**
 * Decides lateness for an optional `maxLateness` (DESIGN §2): a record older than `maxLatenessMs` behind the newest
 * event time seen for its series is late. The newest time is remembered per warm function instance, so this is a
 * guard against replays of stale data, not a global watermark; a record it passes is always aggregated exactly.
 */
export class LatenessGate {
  readonly #maxLatenessMs: number;
  readonly #newest = new Map<string, number>();

  constructor(maxLatenessMs: number) {
    this.#maxLatenessMs = maxLatenessMs;
  }

  /** Records the newest event time of a series before a batch is judged, so order inside a batch does not matter. */
  observe(series: string, ts: number): void {
    const seen = this.#newest.get(series);
    if (seen === undefined || ts > seen) this.#newest.set(series, ts);
  }

  /** A reason when the record is late, otherwise undefined. */
  judge(series: string, ts: number): string | undefined {
    const newest = this.#newest.get(series);
    if (newest === undefined || newest - ts <= this.#maxLatenessMs) return undefined;
    return `late: ts ${ts} is ${newest - ts} ms older than the newest event time seen for ${series} (${newest}), more than maxLateness ${this.#maxLatenessMs} ms`;
  }
}
