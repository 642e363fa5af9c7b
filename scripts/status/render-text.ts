/**
 * The status model as text for a terminal: who answers and why not, one table row per cloud, sync per pair, dead
 * letters by reason, failures of the last hour, and what could not be told. `-` means the cloud did not answer
 * that part; `?` means the service cannot say (the notes say why).
 */
import { ORIGINS, type Origin } from '../../shared/core/index.ts';
import type { CloudStatus, StatusModel, TransportStatus } from './status-model.ts';

export function renderStatus(model: StatusModel): string {
  return [
    `tricloud status at ${time(model.at)}`,
    '',
    ...reachability(model),
    '',
    ...table(overviewRows(model), 2),
    ...partitionLines(model),
    '',
    ...table(syncRows(model), 2),
    '',
    ...deadLetterLines(model),
    '',
    ...failureLines(model),
    '',
    ...noteLines(model),
  ].join('\n');
}

/** `2026-11-28T01:23:45Z`: UTC to the second. */
export function time(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

/** A duration as people read it: `0.4 s`, `12.0 s`, `3 min 20 s`, `2 h 5 min`. */
export function duration(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.floor(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

const count = (n: number | undefined, atLeast = false) =>
  n === undefined ? '-' : `${atLeast ? '≥ ' : ''}${n.toLocaleString('en-US')}`;

function reachability(model: StatusModel): string[] {
  return ORIGINS.flatMap((o) => {
    const c = model.clouds[o];
    const where = c.local ? 'local servers' : 'cloud';
    if (c.reachable) return [`${o.padEnd(6)} ✔ reachable (${where}, ${c.tookMs} ms)`];
    return c.problems.map(
      (p, i) => `${(i === 0 ? o : '').padEnd(6)} ${i === 0 ? '✘ unreachable:' : '              '} ${p}`,
    );
  });
}

/**
 * Columns padded to their widest cell: numbers right-aligned, the first `leftColumns` and the last (free text)
 * left-aligned.
 */
export function table(rows: readonly (readonly string[])[], leftColumns = 1): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  const left = (i: number, r: readonly string[]) => i < leftColumns || i === r.length - 1;
  return rows.map((r) =>
    r
      .map((cell, i) => (left(i, r) ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
      .join('  ')
      .trimEnd(),
  );
}

/** The transport's backlog: `?` when it cannot say, `-` when it did not answer. */
function backlog(c: CloudStatus): string {
  if (!c.transport) return '-';
  return c.transport.backlog === undefined ? '?' : count(c.transport.backlog);
}

function transportDlq(t: TransportStatus | undefined): string {
  return t?.deadLetterDepth === undefined ? '-' : count(t.deadLetterDepth, t.deadLetterDepthAtLeast);
}

function overviewRows(model: StatusModel): string[][] {
  const head = [
    'cloud',
    'transport',
    'backlog',
    'in flight',
    'transport DLQ',
    'dead letters',
    'windows',
    'slices',
    'inexact',
    'conflicts',
    '',
  ];
  return [
    head,
    ...ORIGINS.map((o) => {
      const c = model.clouds[o];
      const d = c.documents;
      const partial = d && !d.complete ? '+' : '';
      return [
        o,
        c.transport?.kind ?? '-',
        backlog(c),
        c.transport ? (c.transport.inFlight === undefined ? '?' : count(c.transport.inFlight)) : '-',
        transportDlq(c.transport),
        count(c.deadLetters?.total, c.deadLetters?.complete === false),
        d ? `${count(d.windows)}${partial}` : '-',
        d ? `${count(d.slices)}${partial}` : '-',
        count(d?.inexact),
        count(d?.conflicts),
        d && !d.complete ? '(+ still counting)' : '',
      ];
    }),
  ];
}

function partitionLines(model: StatusModel): string[] {
  return ORIGINS.flatMap((o) => {
    const parts = model.clouds[o].transport?.partitions;
    if (!parts?.length) return [];
    const shown = parts.map((p) =>
      p.behind === undefined
        ? `${p.partition}: ${sequence(p.lastEnqueued)}`
        : `${p.partition}: ${sequence(p.lastEnqueued)} (checkpoint ${p.checkpoint ?? 'none'}, ${p.behind} behind)`,
    );
    return [`${o} partitions, last sequence number: ${shown.join(', ')}`];
  });
}

const sequence = (n: number) => (n < 0 ? 'empty' : String(n));

function syncRows(model: StatusModel): string[][] {
  return [
    ['sync into ← from', 'last run', 'watermark', 'pending', 'lag', 'retrying', ''],
    ...ORIGINS.flatMap((o) =>
      model.clouds[o].sync.map((s) => [
        `${o} ← ${s.source}`,
        s.lastRunAt === undefined ? (s.error ? '-' : 'never') : time(s.lastRunAt),
        s.watermarkAt === undefined ? (s.error ? '-' : 'never synced') : time(s.watermarkAt),
        count(s.pending, s.pendingAtLeast),
        s.lagMs === undefined ? '-' : duration(s.lagMs),
        count(s.retrying),
        s.error ?? '',
      ]),
    ),
  ];
}

function deadLetterLines(model: StatusModel): string[] {
  const lines = ORIGINS.flatMap((o) =>
    (model.clouds[o].deadLetters?.byReason ?? [])
      .slice(0, 8)
      .map((r) => [o, count(r.count), `${r.reason}   (newest ${time(r.lastAt)})`]),
  );
  return ['dead letters by reason', ...(lines.length ? table(lines).map((l) => `  ${l}`) : ['  none'])];
}

function failureLines(model: StatusModel): string[] {
  return [
    'failures in the last hour',
    ...ORIGINS.map((o) => {
      const c = model.clouds[o];
      const letters =
        c.failures.deadLettersLastHour === undefined
          ? 'dead letters unknown (its store did not answer)'
          : `${count(c.failures.deadLettersLastHour)} dead letters`;
      const fn = Object.entries(c.failures.functionFailures ?? {});
      const logged = fn.length
        ? `; failed messages in the functions' log lines: ${fn.map(([r, n]) => `${r} ${n}`).join(', ')}`
        : '';
      return `  ${o.padEnd(6)} ${letters}${logged}`;
    }),
  ];
}

function noteLines(model: StatusModel): string[] {
  const lines = [
    ...ORIGINS.flatMap((o: Origin) => model.clouds[o].notes.map((n) => `  ${o.padEnd(6)} ${n}`)),
    ...model.notes.map((n) => `  ${'all'.padEnd(6)} ${n}`),
  ];
  return ['what could not be told', ...lines];
}
