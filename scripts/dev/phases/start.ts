/**
 * `tricloud dev`'s first phase: the local stack's six servers and the function bundles (built side by side), the
 * outage proxies under `--chaos`, then the built ingest functions behind their platforms' local trigger hosts, the
 * built sync functions on schedules, and what watches them all (metric lines, store counts, the timeline). What it
 * returns is the running pipeline the later phases work on.
 */
import {
  type CloudSettings,
  readCloudSettings,
  readPipelineSettings,
} from '../../../shared/config/environment.ts';
import type { Origin, WindowSpec } from '../../../shared/core/index.ts';
import { isLogged } from '../../../shared/observability/log.ts';
import { startLocalStack } from '../../local-stack/local-stack.ts';
import type { TriggerHost } from '../../trigger-hosts/host-loop.ts';
import { startIngestHosts } from '../../trigger-hosts/ingest-hosts.ts';
import { type BuiltFunctions, loadBuiltFunctions } from '../built-functions.ts';
import { CHAOS, type Chaos, prepareChaos } from '../chaos.ts';
import { countDocuments, type DocumentCounter } from '../document-counter.ts';
import { type FunctionTelemetry, watchFunctions } from '../function-telemetry.ts';
import type { DevOptions } from '../options.ts';
import type { RunLog } from '../run-log.ts';
import { seededRandom } from '../seeded-random.ts';
import type { Shutdown } from '../shutdown.ts';
import { type SyncRuns, syncRuns } from '../sync-runs.ts';
import { sampleTimeline, type Timeline } from '../timeline.ts';

/** The running pipeline: what `startPipeline` started, for the later phases. */
export interface DevPipeline {
  readonly options: DevOptions;
  readonly log: RunLog;
  readonly shutdown: Shutdown;
  /** The stack's environment as the functions see it (under `--chaos`, the victim cloud behind its proxies). */
  readonly env: Record<string, string>;
  readonly built: BuiltFunctions;
  readonly chaos: Chaos | undefined;
  readonly settings: CloudSettings;
  readonly windows: readonly WindowSpec[];
  readonly telemetry: FunctionTelemetry;
  readonly hosts: Record<Origin, TriggerHost>;
  readonly syncs: SyncRuns;
  readonly documents: DocumentCounter;
  readonly timeline: Timeline;
  /** What the run is doing now, in a word, for the live view. */
  phase: string;
}

export async function startPipeline(
  options: DevOptions,
  log: RunLog,
  shutdown: Shutdown,
): Promise<DevPipeline> {
  const { env: stackEnv, built } = await startStackAndBuild(log, shutdown);
  const chaos = options.chaos ? await prepareChaos(options.chaosCloud, stackEnv) : undefined;
  if (chaos) {
    shutdown.defer(() => chaos.close());
    log.say(`chaos: ${chaos.cloud}'s servers are reached through outage proxies`);
  }
  const env = chaos?.env ?? stackEnv;
  // The functions read their configuration from the environment, as on their platforms.
  Object.assign(process.env, env);
  const settings = readCloudSettings(process.env);
  const { windows } = readPipelineSettings(process.env);

  const telemetry = watchFunctions();
  shutdown.defer(() => telemetry.close());
  const ingest = chaos
    ? chaos.redelivering(built.ingest, CHAOS.redeliveryFraction, seededRandom(options.seed + 1))
    : built.ingest;
  const hosts = await startIngestHosts(
    settings,
    ingest,
    chaos ? { sqsVisibilityTimeoutSeconds: CHAOS.sqsVisibilityTimeoutSeconds } : {},
  );
  shutdown.defer(() => Promise.all(Object.values(hosts).map((h) => h.stop())));
  const syncs = syncRuns(built.sync, options.syncEveryMs);
  syncs.start();
  shutdown.defer(() => syncs.stop());
  log.say(
    `ingest hosts up on the built bundles (SQS → Lambda, Pub/Sub → Cloud Function, Event Hubs → Azure Function); sync every ${options.syncEveryMs / 1000} s`,
  );
  if (!isLogged('info'))
    log.say(
      `TRICLOUD_LOG_LEVEL=${process.env.TRICLOUD_LOG_LEVEL}: the ingest functions' metric lines go unwritten, so their counts here stay 0; draining, convergence and verification do not read them`,
    );

  const documents = await countDocuments(settings);
  shutdown.defer(() => documents.close());
  const counting = setInterval(() => void documents.poll(), 2_000);
  shutdown.defer(() => clearInterval(counting));
  const timeline = sampleTimeline(telemetry, syncs, log.elapsedMs);
  shutdown.defer(() => timeline.stop());
  const phase = 'starting';
  return {
    options,
    log,
    shutdown,
    env,
    built,
    chaos,
    settings,
    windows,
    telemetry,
    hosts,
    syncs,
    documents,
    timeline,
    phase,
  };
}

/** The stack and the build at once (the build is CPU, the emulators mostly wait). */
async function startStackAndBuild(
  log: RunLog,
  shutdown: Shutdown,
): Promise<{ env: Record<string, string>; built: BuiltFunctions }> {
  log.say(
    'starting the local stack (SQS, DynamoDB, Pub/Sub, Firestore, Event Hubs, Cosmos DB) and building the functions…',
  );
  // Settled, so a failed build still stops the stack.
  const [starting, building] = await Promise.allSettled([
    startLocalStack({ log: (line) => log.say(`  ${line}`) }),
    loadBuiltFunctions(),
  ]);
  if (starting.status === 'fulfilled') shutdown.defer(() => starting.value.stop());
  if (starting.status === 'rejected') throw starting.reason;
  if (building.status === 'rejected') throw building.reason;
  const built = building.value;
  log.say(`built the function bundles in ${(built.buildMs / 1000).toFixed(1)} s (dist/)`);
  return { env: starting.value.env, built };
}
