/**
 * `tricloud dev --keep-running`, after the verdict: the schedules start again, the built read functions serve the
 * stores (for clients and `tricloud query` over HTTP), the stack's environment goes to the env file, and the live
 * view shows what other producers send until Ctrl-C or SIGTERM.
 */
import { writeEnvFile } from '../../../shared/config/env-file.ts';
import { startReadHosts } from '../../trigger-hosts/read-hosts.ts';
import { cloudRows } from '../cloud-rows.ts';
import { startLiveView } from '../live-view.ts';
import type { DevPipeline } from './start.ts';

/** Serves until a signal; `releaseSignals` hands SIGINT and SIGTERM over from "exit now" to "stop cleanly". */
export async function serve(p: DevPipeline, releaseSignals: () => void): Promise<void> {
  const { options, log, shutdown } = p;
  p.syncs.start();
  const reads = await startReadHosts(p.built.read);
  shutdown.defer(() => reads.stop());
  if (options.envFile) await writeEnvFile(options.envFile, { ...p.env, ...reads.env });
  log.say(`still running for other producers; environment in ${options.envFile}; Ctrl-C stops`);
  const serving = startLiveView({
    mode: options.live,
    elapsed: log.elapsed,
    status: () => ({ phase: 'serving other producers', rows: cloudRows(p, () => undefined) }),
  });
  shutdown.defer(() => serving.stop());
  // Ctrl-C or SIGTERM now ends a run that has already been verified: stop cleanly, exit with its verdict.
  releaseSignals();
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}
