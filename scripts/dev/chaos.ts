/**
 * `--chaos`: what a real deployment survives, done to the local one while it runs. One cloud's servers go behind
 * outage proxies before anything connects; during production they are cut (every connection dropped, new ones
 * refused — a regional outage as clients see it) and restored a few seconds later, so the producer must retry and
 * the trigger hosts, functions and syncs must ride it out. Throughout, a share of the functions' invocations is
 * delivered a second time with the same event (the same message ids), as every platform may; after production, a
 * random sample of messages already accepted is published again, as at-least-once transports do. The run must
 * still end exact.
 */
import type { Origin } from '../../shared/core/index.ts';
import { type CloudOutage, proxyCloud } from '../local-stack/outage-proxy.ts';
import { waitUntil } from '../machine/wait-until.ts';
import type { IngestHandlers } from '../trigger-hosts/ingest-hosts.ts';
import type { DevProducer } from './dev-producer.ts';

/** What `--chaos` does, and how much of it. */
export const CHAOS = {
  /** How long the cut cloud stays down. */
  outageMs: 5_000,
  /** Production is paced over about this long, so the outage falls inside it. */
  productionMs: 12_000,
  /** Share of the functions' invocations delivered a second time with the same event. */
  redeliveryFraction: 0.05,
  /** Share of the messages sent that are published a second time. */
  duplicateFraction: 0.05,
  /**
   * Each SQS receive hides its messages for 10 s instead of the queue's 60 s. A receive whose answer the cut
   * dropped leaves its messages in flight with nobody processing them, exactly as on AWS; they come back after the
   * visibility timeout, and 60 s of waiting made a run look hung. Local invocations take well under a second, and
   * one that outlives 10 s is delivered again, which ingest absorbs (duplicates are counted, not added).
   */
  sqsVisibilityTimeoutSeconds: 10,
} as const;

export interface ChaosReport {
  cloud: Origin;
  cutAtMs?: number;
  restoredAtMs?: number;
  duplicates: number;
  /** Invocations delivered a second time with the same event. */
  redeliveredInvocations: number;
  /** Publish attempts the producer had to retry because of the outage. */
  producerRetries: number;
}

/** A producer that has not reached a quarter of its records in this long has stopped; the outage never starts. */
const CUT_AFTER_PROGRESS_TIMEOUT_MS = 10 * 60_000;

export interface Chaos {
  readonly cloud: Origin;
  /** The stack's env with the victim cloud's endpoints pointed at the proxies: everything must use it. */
  readonly env: Record<string, string>;
  readonly report: ChaosReport;
  /** Cuts once `progress()` passes a quarter of the records, restores `outageMs` later; resolves when restored. */
  outage(
    progress: () => number,
    outageMs: number,
    elapsedMs: () => number,
    say: (line: string) => void,
  ): Promise<void>;
  /** The handlers, each invocation delivered a second time with probability `fraction`. */
  redelivering(handlers: IngestHandlers, fraction: number, random: () => number): IngestHandlers;
  /** Publishes again about `fraction` of the messages sent (at least 30). */
  duplicate(producer: DevProducer, fraction: number, random: () => number): Promise<number>;
  close(): Promise<void>;
}

export async function prepareChaos(cloud: Origin, env: Record<string, string>): Promise<Chaos> {
  const proxied: CloudOutage = await proxyCloud(cloud, env);
  const report: ChaosReport = { cloud, duplicates: 0, redeliveredInvocations: 0, producerRetries: 0 };
  const twice =
    <A extends unknown[], R>(handler: (...args: A) => Promise<R>, fraction: number, random: () => number) =>
    async (...args: A): Promise<R> => {
      const result = await handler(...args);
      if (random() < fraction) {
        report.redeliveredInvocations++;
        // The platform's answer is the first one's; the second delivery must only change nothing.
        await handler(...args).catch(() => {});
      }
      return result;
    };
  return {
    cloud,
    env: proxied.env,
    report,
    async outage(progress, outageMs, elapsedMs, say) {
      await waitUntil(async () => (progress() >= 0.25 ? true : undefined), {
        description: `a quarter of the records to be produced before cutting ${cloud}`,
        timeoutMs: CUT_AFTER_PROGRESS_TIMEOUT_MS,
        intervalMs: 50,
      });
      await proxied.cut();
      report.cutAtMs = elapsedMs();
      say(
        `chaos: cut ${cloud} (${proxied.proxies.length} servers unreachable: connections dropped, new ones refused)`,
      );
      await new Promise((r) => setTimeout(r, outageMs));
      await proxied.restore();
      report.restoredAtMs = elapsedMs();
      say(`chaos: restored ${cloud} after ${(outageMs / 1000).toFixed(0)} s`);
    },
    redelivering(handlers, fraction, random) {
      return {
        aws: twice(handlers.aws, fraction, random),
        gcp: twice(handlers.gcp, fraction, random),
        azure: twice(handlers.azure, fraction, random),
      };
    },
    async duplicate(producer, fraction, random) {
      const total = Object.values(producer.sent).reduce((n, s) => n + s.messages, 0);
      const count = Math.max(30, Math.round(total * fraction));
      report.duplicates = await producer.republish(count, random);
      return report.duplicates;
    },
    close: () => proxied.close(),
  };
}
