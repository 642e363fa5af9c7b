/**
 * `tricloud dev` (what `npm start` runs): the whole pipeline on the local stack. Starts the six servers and, on
 * the built bundles, the three clouds' ingest functions behind their platforms' local trigger hosts and the three
 * sync functions on schedules; produces records into the clouds; shows each cloud live; and once production is
 * done and everything has drained and converged, verifies that the three stores are identical and equal to a
 * reference computed directly from the records. The exit status says whether that held.
 *
 * This file only wires the phases, which live in `scripts/dev/phases/` — start, produce, drain, converge, verify,
 * report, and serve under `--keep-running` — with their parts in `scripts/dev/`.
 */
import { parseDevOptions, usage } from '../dev/options.ts';
import { converge } from '../dev/phases/converge.ts';
import { drain } from '../dev/phases/drain.ts';
import { produce } from '../dev/phases/produce.ts';
import { report } from '../dev/phases/report.ts';
import { serve } from '../dev/phases/serve.ts';
import { startPipeline } from '../dev/phases/start.ts';
import { verify } from '../dev/phases/verify.ts';
import { RunLog } from '../dev/run-log.ts';
import { Shutdown } from '../dev/shutdown.ts';

/** How long each part may take to stop, and the process to exit after the run. */
const STOP_TIMEOUT_MS = 5_000;

export async function run(argv: string[]): Promise<number> {
  const options = parseDevOptions(argv);
  if (!options) {
    console.log(usage);
    return 0;
  }
  const log = new RunLog();
  const shutdown = new Shutdown(STOP_TIMEOUT_MS);
  const releaseSignals = shutdown.exitOnSignals();
  try {
    const pipeline = await startPipeline(options, log, shutdown);
    const production = await produce(pipeline);
    const drainedMs = await drain(pipeline, production);
    await converge(pipeline, production);
    const verification = await verify(pipeline, production);
    await report(pipeline, production, drainedMs, verification);
    if (options.keepRunning) await serve(pipeline, releaseSignals);
    return verification.verdict.identical && verification.verdict.exact ? 0 : 1;
  } finally {
    await shutdown.stopAll();
    // Everything this run started is stopped; a library handle still open (an SDK's reconnect timer) must not
    // keep the process alive past a grace period. Unref'd: a clean exit does not wait for it.
    setTimeout(() => process.exit(), STOP_TIMEOUT_MS).unref();
  }
}
