/**
 * `tricloud dev --keep-running`, after the verdict: the schedules start again, the built read functions serve the
 * stores (for clients and `tricloud query` over HTTP), the stack's environment goes to the env file, the status
 * page (`tricloud status --web`'s) serves the same view in a browser, and the live view shows what other producers
 * send until Ctrl-C or SIGTERM.
 */
import { writeEnvFile } from '../../../shared/config/env-file.ts';
import { ORIGINS } from '../../../shared/core/index.ts';
import { serveStatusPage } from '../../status/status-server.ts';
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
  // The functions' failure counts come from their metric lines here, which no store holds.
  const page = await serveStatusPage(
    { ...p.env, ...reads.env },
    {
      functionFailures: () =>
        Object.fromEntries(ORIGINS.map((o) => [o, p.telemetry.totals[o].failureReasons])),
    },
  );
  shutdown.defer(() => page.close());
  log.say(
    `still running for other producers; environment in ${options.envFile}; status page ${page.url}; Ctrl-C stops`,
  );
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
