/**
 * `tricloud dev`'s third phase: waits until every message sent has been delivered and every distinct record is in
 * the store of the cloud it was routed to — counted in the stores themselves, so a write whose reply an outage lost
 * is counted too. Fails, naming what is missing, when nothing moves for too long.
 */
import { ORIGINS } from '../../../shared/core/index.ts';
import { waitUntil } from '../../machine/wait-until.ts';
import type { Production } from './produce.ts';
import type { DevPipeline } from './start.ts';

/** Nothing moving for this long fails the run (an SQS visibility timeout is 30 s). */
const STALL_MS = 120_000;
/** How long draining may take at all. */
const DRAIN_TIMEOUT_MS = 10 * 60_000;

/** Resolves with the ms since the run started when everything was stored. */
export async function drain(p: DevPipeline, { producer }: Production): Promise<number> {
  p.phase = 'draining';
  const { documents, hosts, windows, options } = p;
  // Exact, not approximate: each distinct record is counted once per window size by the cloud(s) it was routed
  // to — one cloud under partition and failover, every cloud under mirror.
  const expected = producer.distinct * windows.length;
  const stored = () =>
    options.route === 'mirror'
      ? ORIGINS.every((o) => documents.ownRecords[o] >= expected)
      : ORIGINS.reduce((n, o) => n + documents.ownRecords[o], 0) >= expected;
  const delivered = (o: (typeof ORIGINS)[number]) => hosts[o].stats.messages - hosts[o].stats.failedMessages;
  let polls = 0;
  let progress = '';
  let progressAt = Date.now();
  let stalled: string | undefined;
  await waitUntil(
    async () => {
      // Now and then a full pass, in case a write committed with a clock older than the cursor's overlap.
      await documents.poll(++polls % 20 === 0);
      const now = ORIGINS.map((o) => {
        const error = hosts[o].stats.lastError;
        return `${o}: ${delivered(o)}/${producer.sent[o].messages} messages delivered, ${documents.ownRecords[o] / windows.length} records stored${error ? `, last host error: ${error}` : ''}`;
      }).join('; ');
      if (now !== progress) {
        progress = now;
        progressAt = Date.now();
      } else if (Date.now() - progressAt > STALL_MS) {
        stalled = `nothing moved for ${STALL_MS / 1000} s while waiting for ${producer.distinct.toLocaleString('en-US')} distinct records to be stored (${now})`;
      }
      return ORIGINS.every((o) => delivered(o) >= producer.sent[o].messages) && stored() ? true : undefined;
    },
    {
      description: 'every record to be stored by its cloud',
      timeoutMs: DRAIN_TIMEOUT_MS,
      abortReason: () => stalled,
    },
  );
  const drainedMs = p.log.elapsedMs();
  p.log.say('drained: every record routed to a cloud is in its store');
  return drainedMs;
}
