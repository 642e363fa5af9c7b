/**
 * What the person at the terminal sees while a producer runs: on a TTY, one status line per cloud redrawn in place
 * (read, sent, spooled, rejected, rate, ETA); elsewhere a plain line every few seconds; with `--json`, progress as
 * JSON lines and the final summary as one JSON object on the last line, for scripts.
 */
import type { ProducerStats } from './producer.ts';
import { terminalView } from './terminal-view.ts';

export interface ProgressView {
  update(stats: ProducerStats): void;
  done(stats: ProducerStats): void;
}

export function progressView(options: {
  json: boolean;
  tty: boolean;
  write: (text: string) => void;
  plainEveryMs?: number;
}): ProgressView {
  const view = terminalView({
    tty: options.tty,
    write: options.write,
    // A pipe gets the whole status on one line.
    plain: (lines) => [lines.join(' | ')],
    plainEveryMs: options.plainEveryMs ?? 5_000,
  });
  let lastJson = 0;
  return {
    update(stats) {
      if (!options.json) return view.show(statusLines(stats));
      const now = Date.now();
      if (now - lastJson < 1_000) return;
      lastJson = now;
      options.write(`${JSON.stringify({ progress: stats })}\n`);
    },
    done(stats) {
      if (options.json) {
        options.write(`${JSON.stringify(stats)}\n`);
        return;
      }
      view.erase();
      options.write(`${summary(stats).join('\n')}\n`);
    },
  };
}

export function statusLines(s: ProducerStats): string[] {
  const eta = s.etaSeconds === undefined ? '' : `, ETA ${duration(s.etaSeconds)}`;
  const head = `${s.source} → ${s.route}: read ${n(s.read)}${s.total === undefined ? '' : `/${n(s.total)}`}, rejected ${n(s.rejected)}, duplicates ${n(s.duplicates)}, ${n(Math.round(s.rate))} records/s${eta}`;
  const clouds = Object.entries(s.perCloud).map(
    ([cloud, c]) =>
      `  ${cloud.padEnd(5)} ${c.healthy ? 'up  ' : 'DOWN'}  sent ${n(c.records).padStart(11)} in ${n(c.messages).padStart(8)} msgs  spooled ${n(c.spooled).padStart(9)}  failures ${n(c.failures)}${c.rerouted > 0 ? `  rerouted ${n(c.rerouted)}` : ''}${!c.healthy && c.lastError ? ` (${c.lastError})` : ''}`,
  );
  return [head, ...clouds];
}

export function summary(s: ProducerStats): string[] {
  const lines = statusLines(s);
  lines[0] = `${s.source}: read ${n(s.read)} records in ${s.seconds.toFixed(1)} s (${n(Math.round(s.rate))}/s), rejected ${n(s.rejected)}, duplicates ${n(s.duplicates)}${s.resumedFrom === undefined ? '' : `; resumed from ${s.resumedFrom}`}`;
  if (s.read === 0 && s.resumedFrom !== undefined)
    lines.push(
      'nothing new to read: an earlier run of this command read the source to its end (--fresh starts over)',
    );
  if (s.rejected > 0) lines.push(`rejected lines, with line numbers and reasons: ${s.rejectsFile}`);
  lines.push(
    s.delivered
      ? '✔ every record read was accepted by its cloud'
      : `✘ some records are still spooled in ${s.stateDir}: run the same command again to deliver them (they go only to the cloud they were assigned to)`,
  );
  return lines;
}

function n(x: number): string {
  return x.toLocaleString('en-US');
}

function duration(seconds: number): string {
  if (seconds < 90) return `${Math.ceil(seconds)} s`;
  if (seconds < 5_400) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3_600).toFixed(1)} h`;
}
