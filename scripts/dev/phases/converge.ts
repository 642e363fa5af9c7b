/**
 * `tricloud dev`'s fourth phase: the schedules stop and every cloud's sync runs, round after round, until a whole
 * round writes nothing. Convergence is read from the reports the sync functions return — not from their log
 * lines, which `TRICLOUD_LOG_LEVEL=warn` leaves unwritten — and the live part of the run ends with it.
 */
import { ORIGINS, type Origin, type SyncReport } from '../../../shared/core/index.ts';
import type { Production } from './produce.ts';
import type { DevPipeline } from './start.ts';

/** Rounds after which stores that still change are reported as not converging. */
const MAX_ROUNDS = 20;

export async function converge(p: DevPipeline, production: Production): Promise<void> {
  p.phase = 'converging';
  await p.syncs.stop();
  const rounds = await syncUntilQuiet(p.syncs.run);
  p.log.say(`converged after ${rounds} final sync round(s)`);
  p.phase = 'done';
  await p.documents.poll();
  production.view.stop();
  p.log.direct();
  p.timeline.stop();
}

/**
 * Runs every cloud's sync until a round writes nothing and every source was read to its end; a source that fails
 * (the aftermath of chaos) earns another round after `pauseMs`. Resolves with the rounds run.
 */
export async function syncUntilQuiet(
  sync: (o: Origin) => Promise<SyncReport>,
  pauseMs = 500,
): Promise<number> {
  let lastError = '';
  for (let round = 1; round <= MAX_ROUNDS; round++) {
    let written = 0;
    let failed = false;
    for (const o of ORIGINS) {
      const report = await sync(o);
      for (const s of report.sources) {
        if (s.error) {
          failed = true;
          lastError = `sync into ${o} from ${s.source} failed: ${s.error}`;
        }
        written += s.written;
        if (!s.complete) failed = true;
      }
    }
    if (written === 0 && !failed) return round;
    if (failed) await new Promise((r) => setTimeout(r, pauseMs));
  }
  throw new Error(
    `the stores did not converge in ${MAX_ROUNDS} sync rounds${lastError ? ` (${lastError})` : ''}`,
  );
}
