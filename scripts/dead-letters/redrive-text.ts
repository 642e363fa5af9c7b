/** A redrive's report as `tricloud dead-letters redrive` prints it. */
import { preview } from './letter.ts';
import type { RedriveReport } from './transport-dead-letters.ts';

export function renderRedrive(report: RedriveReport): string {
  const lines = report.dryRun
    ? [
        `dry run: ${report.moved} messages would move from ${report.from} to ${report.to}, by ${report.method}; nothing moved`,
      ]
    : [`moved ${report.moved} messages from ${report.from} to ${report.to}, by ${report.method}`];
  for (const letter of report.letters ?? []) {
    lines.push(`  ${new Date(letter.at).toISOString()}  ${letter.id}  ${preview(letter.payload, 80)}`);
  }
  if (report.letters !== undefined && report.letters.length < report.moved) {
    lines.push(`  … and ${report.moved - report.letters.length} more`);
  }
  for (const s of report.skipped) lines.push(`left ${s.id}: ${s.why}`);
  for (const note of report.notes) lines.push(`note: ${note}`);
  if (!report.dryRun && report.moved > 0) {
    lines.push(
      'Ingest counts each (series, seq) once, so a message that was already stored counts nothing again; one that fails again returns to the dead-letter place.',
    );
  }
  return `${lines.join('\n')}\n`;
}
