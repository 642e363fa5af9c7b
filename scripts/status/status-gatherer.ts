/**
 * The status of the three clouds, gathered at once: each cloud's checks run concurrently under the same deadline,
 * so a dead cloud costs the others nothing. Opened once and gathered as often as asked (`tricloud status`,
 * `--watch`, the live page), reusing every client; the document counts carry over between gatherings, so only the
 * first reads a whole store.
 */
import type { Env } from '../../shared/config/environment.ts';
import { type AggregateStore, ORIGINS, type Origin } from '../../shared/core/index.ts';
import { type CandleSet, readCandles } from './candles.ts';
import {
  type CloudClients,
  checkSync,
  openCloudClients,
  type ProbeOptions,
  readLetters,
} from './cloud-probe.ts';
import { describeError, within } from './deadline.ts';
import { type CloudStatus, SERVICES, type StatusModel } from './status-model.ts';

export const DEFAULT_DEADLINE_MS = 10_000;

export interface StatusOptions extends Partial<ProbeOptions> {
  /**
   * Failed messages per reason per cloud as the functions' own log lines count them, for a caller that reads those
   * lines (`tricloud dev`); the clouds' own metrics are not read.
   */
  functionFailures?: () => Partial<Record<Origin, Record<string, number>>>;
}

export interface StatusSource {
  gather(): Promise<StatusModel>;
  candles(series: string, window: string): Promise<CandleSet>;
  close(): Promise<void>;
}

export const SYNC_NOTE =
  'last run: when a sync run last read the source to its end; watermark: the time of the newest source change it applied';

/**
 * Opens clients for every cloud the env configures; a cloud it does not configure is reported unreachable with
 * the missing variable, and the others are gathered as usual.
 */
export function openStatus(env: Env, options: StatusOptions = {}): StatusSource {
  const opts: ProbeOptions & StatusOptions = { deadlineMs: DEFAULT_DEADLINE_MS, ...options };
  const clouds = new Map<Origin, CloudClients | string>();
  for (const cloud of ORIGINS) {
    try {
      clouds.set(cloud, openCloudClients(cloud, env, opts));
    } catch (error) {
      clouds.set(cloud, `not configured: ${describeError(error)}`);
    }
  }
  const stores = (): Partial<Record<Origin, AggregateStore | string>> =>
    Object.fromEntries([...clouds].map(([o, c]) => [o, typeof c === 'string' ? c : c.store]));
  let version = 0;
  return {
    async gather() {
      const at = Date.now();
      const deadlineAt = at + opts.deadlineMs;
      const sources = Object.fromEntries(
        [...clouds].flatMap(([o, c]) => (typeof c === 'string' ? [] : [[o, c.store]])),
      );
      const failures = opts.functionFailures?.() ?? {};
      const checked = await Promise.all(
        ORIGINS.map((cloud) => {
          const clients = clouds.get(cloud)!;
          if (typeof clients === 'string') return unconfigured(cloud, clients);
          return checkCloud(clients, { sources, deadlineAt, opts, now: at, failures: failures[cloud] });
        }),
      );
      version++;
      return {
        at,
        version,
        clouds: Object.fromEntries(checked.map((c) => [c.cloud, c])) as Record<Origin, CloudStatus>,
        notes: [SYNC_NOTE],
      };
    },
    candles(series, window) {
      const spans = [...clouds.values()].flatMap((c) =>
        typeof c === 'string' ? [] : c.census.current().series,
      );
      return readCandles(stores(), spans, { series, window, now: Date.now(), deadlineMs: opts.deadlineMs });
    },
    async close() {
      await Promise.all([...clouds.values()].map((c) => (typeof c === 'string' ? undefined : c.close())));
    },
  };
}

function unconfigured(cloud: Origin, problem: string): CloudStatus {
  return {
    cloud,
    reachable: false,
    problems: [problem],
    local: false,
    sync: [],
    failures: {},
    notes: [],
    tookMs: 0,
  };
}

interface CheckContext {
  sources: Partial<Record<Origin, AggregateStore>>;
  deadlineAt: number;
  opts: ProbeOptions;
  now: number;
  failures: Record<string, number> | undefined;
}

async function checkCloud(clients: CloudClients, ctx: CheckContext): Promise<CloudStatus> {
  const { cloud } = clients;
  const { deadlineAt, opts, now } = ctx;
  const started = Date.now();
  const signal = AbortSignal.timeout(Math.max(1, deadlineAt - started));
  const [transport, letters, documents, sync] = await Promise.all([
    within(clients.transport.check(signal), deadlineAt, opts.deadlineMs),
    within(readLetters(clients.deadLetters, now), deadlineAt, opts.deadlineMs),
    within(clients.census.count(), deadlineAt, opts.deadlineMs),
    checkSync(clients, ctx.sources, deadlineAt, opts, now),
  ]);
  const problems = new Map<string, string>();
  const names = SERVICES[cloud];
  if (!transport.ok) problems.set(names.transport, transport.error);
  if (!letters.ok) problems.set(names.store, letters.error);
  if (sync.storeError !== undefined && !problems.has(names.store)) problems.set(names.store, sync.storeError);
  // A count that is only slow (a large store's first listing) goes on in the background and says it is partial.
  if (!documents.ok && !documents.timedOut && !problems.has(names.store))
    problems.set(names.store, documents.error);
  const storeDown = problems.has(names.store);
  const counted = documents.ok ? documents.value : storeDown ? undefined : clients.census.current();
  const transportStatus = transport.ok ? { ...transport.value } : undefined;
  // Event Hubs has no dead-letter queue: the messages the store refused for good stand in for it.
  if (transportStatus && cloud === 'azure' && letters.ok)
    transportStatus.deadLetterDepth = letters.value.refusedMessages;
  return {
    cloud,
    reachable: problems.size === 0,
    problems: [...problems].map(([service, error]) => `${service}: ${error}`),
    local: clients.local,
    ...(transportStatus ? { transport: transportStatus } : {}),
    ...(letters.ok ? { deadLetters: letters.value } : {}),
    ...(counted ? { documents: counted } : {}),
    sync: sync.lines,
    failures: {
      ...(letters.ok ? { deadLettersLastHour: letters.value.lastHour } : {}),
      ...(ctx.failures ? { functionFailures: ctx.failures } : {}),
    },
    notes: clients.notes,
    tookMs: Date.now() - started,
  };
}
