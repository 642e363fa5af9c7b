/**
 * `tricloud dev`'s fifth phase: each store's windows read back in the export format and compared with each other
 * and with a reference computed directly from the records produced; `--export` writes them to files.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type ExportedWindow, ORIGINS, type Origin } from '../../../shared/core/index.ts';
import { readExports } from '../../cli/read-exports.ts';
import { firstDifference, referenceWindows } from '../reference-windows.ts';
import { type Verdict, verifyRun } from '../verification.ts';
import type { Production } from './produce.ts';
import type { DevPipeline } from './start.ts';

export interface Verification {
  readonly exports: Record<Origin, ExportedWindow[]>;
  readonly verdict: Verdict;
  /** Seconds the run took up to the verdict. */
  readonly seconds: number;
}

export async function verify(p: DevPipeline, { producer }: Production): Promise<Verification> {
  const exportList = await Promise.all(ORIGINS.map((o) => readExports(o, process.env)));
  const exports = Object.fromEntries(ORIGINS.map((o, i) => [o, exportList[i]!])) as Record<
    Origin,
    ExportedWindow[]
  >;
  const reference = referenceWindows(producer.records, p.windows);
  const verdict = verifyRun(exports, reference, firstDifference);
  const seconds = p.log.elapsedMs() / 1000;
  if (p.options.export) {
    await writeExports(p.options.export, exports);
    p.log.say(`exported to ${p.options.export}/{aws,gcp,azure}.ndjson`);
  }
  return { exports, verdict, seconds };
}

/** `dir/<cloud>.ndjson`, one exported window per line. */
async function writeExports(dir: string, exports: Record<Origin, readonly ExportedWindow[]>): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const o of ORIGINS) {
    const text = exports[o].map((w) => JSON.stringify(w)).join('\n');
    await writeFile(path.join(dir, `${o}.ndjson`), text + (text ? '\n' : ''));
  }
}
