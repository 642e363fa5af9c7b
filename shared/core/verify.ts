/**
 * Cross-cloud verification (DESIGN §5): the stores' merged windows, grouped per series and UTC day, compared
 * exactly. A digest names each group for humans; equality is decided on the canonical text itself, so no hash
 * collision can hide a difference.
 */
import type { ExportedWindow } from './aggregate.ts';
import { fnv1a32 } from './hash.ts';
import type { Origin } from './origin.ts';

export interface DayGroup {
  series: string;
  /** `YYYY-MM-DD`, UTC. */
  day: string;
  windows: number;
  /** Short digest of the group's canonical text, for reports. */
  digest: string;
}

export interface WindowDifference {
  series: string;
  window: string;
  start: number;
  /** Each cloud's export line of the window, or null where the cloud lacks it. */
  byCloud: Partial<Record<Origin, ExportedWindow | null>>;
}

/** A window some cloud holds as not exact, and why when it knows (clouds holding different records). */
export interface InexactWindow {
  series: string;
  window: string;
  start: number;
  clouds: Origin[];
  conflict?: string;
}

export interface VerifyResult {
  identical: boolean;
  /** Windows marked `exact: false` in any store: identical stores can still agree on an inexact window. */
  inexact: InexactWindow[];
  groups: number;
  windows: Partial<Record<Origin, number>>;
  differing: WindowDifference[];
  digests: Partial<Record<Origin, DayGroup[]>>;
}

const DAY_MS = 86_400_000;

export function compareExports(byCloud: Partial<Record<Origin, readonly ExportedWindow[]>>): VerifyResult {
  const clouds = Object.keys(byCloud) as Origin[];
  const indexed = new Map<Origin, Map<string, ExportedWindow>>();
  for (const cloud of clouds) {
    indexed.set(cloud, new Map((byCloud[cloud] ?? []).map((w) => [windowKey(w), w])));
  }
  const keys = [...new Set(clouds.flatMap((c) => [...indexed.get(c)!.keys()]))].sort();
  const differing: WindowDifference[] = [];
  for (const key of keys) {
    const lines = clouds.map((c) => indexed.get(c)!.get(key));
    const texts = lines.map((w) => (w ? JSON.stringify(w) : ''));
    if (texts.every((t) => t === texts[0])) continue;
    const sample = lines.find((w) => w !== undefined)!;
    differing.push({
      series: sample.series,
      window: sample.window,
      start: sample.start,
      byCloud: Object.fromEntries(clouds.map((c, i) => [c, lines[i] ?? null])),
    });
  }
  const digests = Object.fromEntries(clouds.map((c) => [c, dayGroups(byCloud[c] ?? [])]));
  return {
    identical: differing.length === 0,
    inexact: inexactWindows(byCloud),
    groups: new Set(keys.map((k) => k.split('\u0000').slice(0, 2).join('\u0000'))).size,
    windows: Object.fromEntries(clouds.map((c) => [c, byCloud[c]?.length ?? 0])),
    differing,
    digests,
  };
}

function inexactWindows(byCloud: Partial<Record<Origin, readonly ExportedWindow[]>>): InexactWindow[] {
  const found = new Map<string, InexactWindow>();
  for (const [cloud, windows] of Object.entries(byCloud) as [Origin, readonly ExportedWindow[]][]) {
    for (const w of windows) {
      if (w.exact !== false) continue;
      const key = windowKey(w);
      const entry = found.get(key) ?? { series: w.series, window: w.window, start: w.start, clouds: [] };
      entry.clouds.push(cloud);
      if (w.conflict) entry.conflict ??= w.conflict;
      found.set(key, entry);
    }
  }
  return [...found.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, w]) => w);
}

function windowKey(w: ExportedWindow): string {
  return `${w.series}\u0000${dayOf(w.start)}\u0000${w.window}\u0000${String(w.start).padStart(16, '0')}`;
}

/** The UTC calendar day of an epoch-ms time, `YYYY-MM-DD` (Hinnant's civil-from-days; the core has no Date). */
export function dayOf(ms: number): string {
  const z = Math.floor(ms / DAY_MS) + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1_460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** Per series and day: window count and an FNV-1a digest of the canonical lines. */
export function dayGroups(windows: readonly ExportedWindow[]): DayGroup[] {
  const groups = new Map<string, { series: string; day: string; lines: string[] }>();
  for (const w of [...windows].sort((a, b) => (windowKey(a) < windowKey(b) ? -1 : 1))) {
    const day = dayOf(w.start);
    const key = `${w.series}\u0000${day}`;
    const group = groups.get(key) ?? { series: w.series, day, lines: [] };
    group.lines.push(JSON.stringify(w));
    groups.set(key, group);
  }
  return [...groups.values()].map(({ series, day, lines }) => ({
    series,
    day,
    windows: lines.length,
    digest: digestOf(lines.join('\n')),
  }));
}

/** Two FNV-1a lanes with different seeds: 64 bits, enough to tell groups apart at a glance. */
function digestOf(text: string): string {
  const hex = (n: number) => n.toString(16).padStart(8, '0');
  return hex(fnv1a32(text)) + hex(fnv1a32(text, 0x9e3779b9));
}
