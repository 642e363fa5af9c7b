/**
 * `tricloud dev` (what `npm start` runs): the whole pipeline on the local stack. Starts the six servers and, on
 * the built bundles, the three clouds' ingest functions behind their platforms' local trigger hosts and the three
 * sync functions on schedules; produces records into the clouds; shows each cloud live; and once production is
 * done and everything has drained and converged, verifies that the three stores are identical and equal to a
 * reference computed directly from the records. The exit status says whether that held.
 *
 * The parts live in `scripts/dev/`: options, the built functions, the producer, chaos, the live view, the
 * functions' telemetry (read from their log lines), the timeline and the verification.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileSource } from '../../producers/sources/file.ts';
import type { Source } from '../../producers/sources/source.ts';
import { syntheticSource } from '../../producers/sources/synthetic.ts';
import { writeEnvFile } from '../../shared/config/env-file.ts';
import { readCloudSettings, readPipelineSettings } from '../../shared/config/environment.ts';
import { type ExportedWindow, ORIGINS, type Origin, type SyncReport } from '../../shared/core/index.ts';
import { readExports } from '../cli/read-exports.ts';
import { loadBuiltFunctions } from '../dev/built-functions.ts';
import { type Chaos, prepareChaos } from '../dev/chaos.ts';
import { startDevProducer } from '../dev/dev-producer.ts';
import { countDocuments } from '../dev/document-counter.ts';
import { watchFunctions } from '../dev/function-telemetry.ts';
import { type CloudRow, failureLines, startLiveView } from '../dev/live-view.ts';
import { type DevOptions, parseDevOptions, usage } from '../dev/options.ts';
import { firstDifference, referenceWindows } from '../dev/reference-windows.ts';
import { seededRandom } from '../dev/seeded-random.ts';
import { lagsOf, sampleTimeline } from '../dev/timeline.ts';
import { summaryTable, verdictLines, verifyRun } from '../dev/verification.ts';
import { startLocalStack } from '../local-stack/local-stack.ts';
import { writeReport } from '../report/write-report.ts';
import { startIngestHosts } from '../trigger-hosts/ingest-hosts.ts';
import { startReadHosts } from '../trigger-hosts/read-hosts.ts';
import { type SyncTimer, startSyncTimer } from '../trigger-hosts/sync-timer.ts';

/** How long the cut cloud stays down under `--chaos`. */
const OUTAGE_MS = 5_000;
/** Under `--chaos`, production is paced over about this long so the outage falls inside it. */
const CHAOS_PRODUCTION_MS = 12_000;
/** Draining fails, naming what is missing, when nothing moves for this long (an SQS visibility timeout is 30 s). */
const STALL_MS = 120_000;
/** How long each part may take to stop, and the process to exit after the run. */
const STOP_TIMEOUT_MS = 5_000;
/** Share of the functions' invocations `--chaos` delivers a second time with the same event. */
const CHAOS_REDELIVERY_FRACTION = 0.05;
/** Share of the messages sent that `--chaos` publishes a second time. */
const CHAOS_DUPLICATE_FRACTION = 0.05;
/**
 * Under `--chaos`, each SQS receive hides its messages for 10 s instead of the queue's 60 s. A receive whose
 * answer the cut dropped leaves its messages in flight with nobody processing them, exactly as on AWS; they come
 * back after the visibility timeout, and 60 s of waiting made a run look hung. Local invocations take well under a
 * second, and one that outlives 10 s is delivered again, which ingest absorbs (duplicates are counted, not added).
 */
const CHAOS_SQS_VISIBILITY_TIMEOUT_S = 10;

export async function run(argv: string[]): Promise<number> {
  const options = parseDevOptions(argv);
  if (!options) {
    console.log(usage);
    return 0;
  }
  const started = performance.now();
  const elapsedMs = () => performance.now() - started;
  const elapsed = () => `${(elapsedMs() / 1000).toFixed(1).padStart(6)} s`;
  let say = (line: string) => console.log(`[${elapsed()}] ${line}`);

  const stoppers: (() => Promise<unknown>)[] = [];
  const stopAll = async () => {
    for (const stop of stoppers.reverse()) {
      // A client stuck on a connection an outage broke must not keep the run from ending.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        stop().catch(() => {}),
        new Promise((resolve) => {
          timer = setTimeout(resolve, STOP_TIMEOUT_MS);
        }),
      ]);
      clearTimeout(timer);
    }
    stoppers.length = 0;
  };
  const interrupted = () => void stopAll().then(() => process.exit(130));
  const terminated = () => void stopAll().then(() => process.exit(143));
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', terminated);
  try {
    say(
      'starting the local stack (SQS, DynamoDB, Pub/Sub, Firestore, Event Hubs, Cosmos DB) and building the functions…',
    );
    // Both at once (the build is CPU, the emulators mostly wait); settled, so a failed build still stops the stack.
    const [starting, building] = await Promise.allSettled([
      startLocalStack({ log: (line) => say(`  ${line}`) }),
      loadBuiltFunctions(),
    ]);
    if (starting.status === 'fulfilled') stoppers.push(() => starting.value.stop());
    if (starting.status === 'rejected') throw starting.reason;
    if (building.status === 'rejected') throw building.reason;
    const stack = starting.value;
    const built = building.value;
    say(`built the function bundles in ${(built.buildMs / 1000).toFixed(1)} s (dist/)`);

    let env = stack.env;
    let chaos: Chaos | undefined;
    if (options.chaos) {
      chaos = await prepareChaos(options.chaosCloud, env);
      stoppers.push(() => chaos!.close());
      env = chaos.env;
      say(`chaos: ${chaos.cloud}'s servers are reached through outage proxies`);
    }
    // The functions read their configuration from the environment, as on their platforms.
    Object.assign(process.env, env);
    const settings = readCloudSettings(process.env);
    const { windows } = readPipelineSettings(process.env);

    const telemetry = watchFunctions();
    stoppers.push(async () => telemetry.close());
    const hosts = await startIngestHosts(
      settings,
      chaos
        ? chaos.redelivering(built.ingest, CHAOS_REDELIVERY_FRACTION, seededRandom(options.seed + 1))
        : built.ingest,
      chaos ? { sqsVisibilityTimeoutSeconds: CHAOS_SQS_VISIBILITY_TIMEOUT_S } : {},
    );
    stoppers.push(() => Promise.all(Object.values(hosts).map((h) => h.stop())));
    let tick = 0;
    // Each sync entry point returns its report: what decides convergence, whatever the log level lets through.
    const syncOnce = (o: Origin): Promise<SyncReport> => built.sync[o](tick++);
    const startTimers = () =>
      Object.fromEntries(
        ORIGINS.map((o) => [o, startSyncTimer(`sync-${o}`, () => syncOnce(o), options.syncEveryMs)]),
      ) as Record<Origin, SyncTimer>;
    let timers = startTimers();
    stoppers.push(() => Promise.all(Object.values(timers).map((t) => t.stop())));
    say(
      `ingest hosts up on the built bundles (SQS → Lambda, Pub/Sub → Cloud Function, Event Hubs → Azure Function); sync every ${options.syncEveryMs / 1000} s`,
    );

    const documents = await countDocuments(settings);
    stoppers.push(() => documents.close());
    const counting = setInterval(() => void documents.poll(), 2_000);
    stoppers.push(async () => clearInterval(counting));
    const timeline = sampleTimeline(telemetry, elapsedMs);
    stoppers.push(async () => timeline.stop());

    const source = await recordSource(options);
    const total = source.total;
    const rejectsFile = path.join('.tricloud', 'dev-rejects.ndjson');
    say(`producing ${describe(options)}, route ${options.route}`);
    const productionStartedMs = elapsedMs();
    const producer = startDevProducer(source, {
      route: options.route,
      settings,
      rejectsFile,
      ...(chaos && total ? { rate: Math.max(1, total / (CHAOS_PRODUCTION_MS / 1000)) } : {}),
    });
    const produced = producer.records;
    let phase = 'producing';
    const rowsOf = (queued: (o: Origin) => number | undefined) =>
      Object.fromEntries(
        ORIGINS.map((o): [Origin, CloudRow] => {
          const t = telemetry.totals[o];
          const q = queued(o);
          return [
            o,
            {
              ...(q === undefined ? {} : { queued: q }),
              // Records stored, not attempts: `added` counts (record, window) pairs, one per window size.
              ingested: Math.floor(t.added / windows.length),
              deadLettered: t.deadLetters,
              failures: t.failureReasons,
              ...(t.lastError ? { lastError: t.lastError } : {}),
              documents: documents.counts[o],
              syncLagMs: lagsOf(telemetry, o),
            },
          ];
        }),
      ) as Record<Origin, CloudRow>;
    const view = startLiveView({
      mode: options.live,
      elapsed,
      status: () => ({
        phase: `${phase} — ${producer.read.toLocaleString('en-US')}${total ? `/${total.toLocaleString('en-US')}` : ''} records produced`,
        rows: rowsOf((o) => {
          const h = hosts[o].stats;
          return Math.max(0, producer.sent[o].messages - (h.messages - h.failedMessages));
        }),
      }),
    });
    say = view.say;
    stoppers.push(async () => view.stop());

    const outage = chaos?.outage(
      () => (total ? producer.read / total : Math.min(1, elapsedMs() / 8_000)),
      OUTAGE_MS,
      elapsedMs,
      (line) => say(line),
    );
    const stats = await producer.done;
    say(
      `produced: ${ORIGINS.map((o) => `${o} ${producer.sent[o].messages} messages / ${producer.sent[o].records} records`).join(', ')}`,
    );
    if (stats.rejected)
      say(`skipped ${stats.rejected} bad lines of ${options.file}; each with its reason in ${rejectsFile}`);
    if (stats.duplicates) say(`the source repeated ${stats.duplicates} records; each was sent once`);
    if (chaos) {
      await outage;
      const again = await chaos.duplicate(producer, CHAOS_DUPLICATE_FRACTION, seededRandom(options.seed));
      chaos.report.producerRetries = ORIGINS.reduce((n, o) => n + producer.sent[o].retries, 0);
      say(`chaos: published ${again} messages a second time`);
    }

    phase = 'draining';
    // Exact, not approximate: each distinct record is counted once per window size by the cloud(s) it was routed
    // to — one cloud under partition and failover, every cloud under mirror.
    const expected = producer.distinct * windows.length;
    const stored = () =>
      options.route === 'mirror'
        ? ORIGINS.every((o) => documents.ownRecords[o] >= expected)
        : ORIGINS.reduce((n, o) => n + documents.ownRecords[o], 0) >= expected;
    let polls = 0;
    let progress = '';
    let progressAt = Date.now();
    await until(
      async () => {
        // Now and then a full pass, in case a write committed with a clock older than the cursor's overlap.
        await documents.poll(++polls % 20 === 0);
        const now = ORIGINS.map((o) => {
          const h = hosts[o].stats;
          return `${o}: ${h.messages - h.failedMessages}/${producer.sent[o].messages} messages delivered, ${documents.ownRecords[o] / windows.length} records stored${h.lastError ? `, last host error: ${h.lastError}` : ''}`;
        }).join('; ');
        if (now !== progress) {
          progress = now;
          progressAt = Date.now();
        } else if (Date.now() - progressAt > STALL_MS) {
          throw new Error(
            `nothing moved for ${STALL_MS / 1000} s while waiting for ${producer.distinct.toLocaleString('en-US')} distinct records to be stored (${now})`,
          );
        }
        return (
          ORIGINS.every(
            (o) => hosts[o].stats.messages - hosts[o].stats.failedMessages >= producer.sent[o].messages,
          ) && stored()
        );
      },
      10 * 60_000,
      'every record to be stored by its cloud',
    );
    const drainedMs = elapsedMs();
    say('drained: every record routed to a cloud is in its store');
    phase = 'converging';
    for (const timer of Object.values(timers)) await timer.stop();
    const rounds = await syncUntilQuiet(syncOnce);
    say(`converged after ${rounds} final sync round(s)`);
    phase = 'done';
    await documents.poll();
    view.stop();
    say = (line: string) => console.log(`[${elapsed()}] ${line}`);
    timeline.stop();

    const exportList = await Promise.all(ORIGINS.map((o) => readExports(o, process.env)));
    const exports = Object.fromEntries(ORIGINS.map((o, i) => [o, exportList[i]!])) as Record<
      Origin,
      ExportedWindow[]
    >;
    const reference = referenceWindows(produced, windows);
    const verdict = verifyRun(exports, reference, firstDifference);
    const seconds = elapsedMs() / 1000;

    if (options.export) {
      await mkdir(options.export, { recursive: true });
      for (const o of ORIGINS) {
        const text = exports[o].map((w) => JSON.stringify(w)).join('\n');
        await writeFile(path.join(options.export, `${o}.ndjson`), text + (text ? '\n' : ''));
      }
      say(`exported to ${options.export}/{aws,gcp,azure}.ndjson`);
    }

    console.log('');
    for (const line of summaryTable({
      sent: producer.sent,
      hosts,
      telemetry,
      exports,
      largestSlice: documents.largestSlice,
    }))
      console.log(line);
    for (const line of failureLines(rowsOf(() => undefined))) console.log(line);
    const pipelineSeconds = (drainedMs - productionStartedMs) / 1000;
    console.log(
      `\n${produced.length.toLocaleString('en-US')} records end to end in ${seconds.toFixed(1)} s (${Math.round(produced.length / seconds).toLocaleString('en-US')} records/s including start-up and build): start-up and build ${(productionStartedMs / 1000).toFixed(1)} s, produced and ingested in ${pipelineSeconds.toFixed(1)} s (${Math.round(produced.length / pipelineSeconds).toLocaleString('en-US')} records/s), converged and verified in ${(seconds - drainedMs / 1000).toFixed(1)} s`,
    );
    if (chaos) {
      const r = chaos.report;
      console.log(
        `chaos: ${r.cloud} cut at ${((r.cutAtMs ?? 0) / 1000).toFixed(1)} s, restored at ${((r.restoredAtMs ?? 0) / 1000).toFixed(1)} s; ${r.producerRetries} publish retries; ${r.duplicates} messages published twice; ${r.redeliveredInvocations} invocations delivered twice; ${ORIGINS.reduce((n, o) => n + hosts[o].stats.failedMessages, 0)} deliveries failed and were redelivered; ${ORIGINS.reduce((n, o) => n + hosts[o].stats.errors, 0)} trigger-host polls and ${ORIGINS.reduce((n, o) => n + timers[o].stats.errors, 0)} sync runs failed and were retried`,
      );
    }
    for (const line of verdictLines(verdict, produced.length)) console.log(line);
    if (telemetry.problems.length && !(verdict.identical && verdict.exact)) {
      console.log(`last warnings of the functions (${telemetry.problems.length}):`);
      for (const line of telemetry.problems.slice(-5)) console.log(`  ${line.slice(0, 400)}`);
    }

    if (options.report) {
      await writeReport(options.report, {
        title: `tricloud dev — ${produced.length.toLocaleString('en-US')} records, route ${options.route}${chaos ? `, chaos on ${chaos.cloud}` : ''}`,
        generatedAt: new Date().toISOString(),
        windows: exports,
        timeline: timeline.samples,
        summary: {
          records: produced.length,
          seconds: Number(seconds.toFixed(1)),
          'records/s': Math.round(produced.length / seconds),
          route: options.route,
          identical: verdict.identical ? 'yes' : `no (${verdict.differing} windows differ)`,
          exact: verdict.exact ? 'yes' : 'no',
          ...Object.fromEntries(ORIGINS.map((o) => [`${o} windows`, exports[o].length])),
          ...(chaos
            ? { chaos: `${chaos.cloud} cut ${OUTAGE_MS / 1000} s, ${chaos.report.duplicates} duplicates` }
            : {}),
        },
      });
      say(`report written to ${options.report}`);
    }

    if (options.keepRunning) {
      timers = startTimers();
      // The built read functions serve the stores too, for clients and `tricloud query` via HTTP.
      const reads = await startReadHosts(built.read);
      stoppers.push(() => reads.stop());
      if (options.envFile) await writeEnvFile(options.envFile, { ...env, ...reads.env });
      say(`still running for other producers; environment in ${options.envFile}; Ctrl-C stops`);
      const serving = startLiveView({
        mode: options.live,
        elapsed,
        status: () => ({ phase: 'serving other producers', rows: rowsOf(() => undefined) }),
      });
      stoppers.push(async () => serving.stop());
      // Ctrl-C or SIGTERM now ends a run that has already been verified: stop cleanly, exit with its verdict.
      process.off('SIGINT', interrupted);
      process.off('SIGTERM', terminated);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      });
    }
    return verdict.identical && verdict.exact ? 0 : 1;
  } finally {
    await stopAll();
    // Everything this run started is stopped; a library handle still open (an SDK's reconnect timer) must not
    // keep the process alive past a grace period. Unref'd: a clean exit does not wait for it.
    setTimeout(() => process.exit(), STOP_TIMEOUT_MS).unref();
  }
}

async function recordSource(options: DevOptions): Promise<Source> {
  if (options.source === 'file') return fileSource(options.file!);
  return syntheticSource({
    seed: options.seed,
    series: options.series,
    records: options.records,
    intervalMs: 250,
  });
}

function describe(options: DevOptions): string {
  return options.source === 'file'
    ? `the records of ${options.file}`
    : `${options.records.toLocaleString('en-US')} synthetic trades over ${options.series} series`;
}

/** Runs every cloud's sync until a round writes nothing; a source that fails (chaos aftermath) earns another round. */
async function syncUntilQuiet(sync: (o: Origin) => Promise<SyncReport>): Promise<number> {
  let lastError = '';
  for (let round = 1; round <= 20; round++) {
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
    if (failed) await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`the stores did not converge in 20 sync rounds${lastError ? ` (${lastError})` : ''}`);
}

async function until(
  condition: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
