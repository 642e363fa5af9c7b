/**
 * The Pub/Sub dead-letter place: the subscription on the dead-letter topic (infra/gcp/pubsub.tf), where Pub/Sub
 * forwards a records message after the ingest subscription's max delivery attempts. The forwarded copy has a new
 * message id and carries `CloudPubSubDeadLetterSource*` attributes: the source subscription, the delivery count,
 * the original publish time.
 *
 * Reading does not consume: messages are pulled, their lease extended to {@link PEEK_LEASE_SECONDS} while the
 * listing reads on (so it sees each once), then handed straight back (`modifyAckDeadline` 0); nothing is
 * acknowledged, and this subscription has no dead-letter policy of its own that a delivery attempt could trip.
 * One pull from the real service may return fewer messages than there are, so a listing stops only after two
 * pulls in a row bring nothing new.
 *
 * Redrive pulls, publishes each message's data and attributes (less the dead-letter ones) to the records topic,
 * and acknowledges it once the publish is confirmed; a crash in between publishes a message twice, which ingest's
 * idempotence absorbs. Only what was dead-lettered before the redrive started moves.
 */
import { type PubSub, v1 } from '@google-cloud/pubsub';
import { createPubSub } from '../../shared/clouds/gcp/pubsub-client.ts';
import type { GcpSettings } from '../../shared/clouds/settings.ts';
import { payloadText } from '../../shared/core/index.ts';
import { type Letter, TRANSPORT_ID_PREFIX } from './letter.ts';
import {
  dryRunReport,
  type RedriveOptions,
  type RedriveReport,
  type TransportDeadLetters,
} from './transport-dead-letters.ts';

/** How long a listing keeps what it pulled leased before handing it back. */
export const PEEK_LEASE_SECONDS = 120;
/**
 * How long one call may take, its retries included: a Pub/Sub that does not answer is said so after this, not
 * after the client's own 60 s.
 */
const CALL_TIMEOUT_MS = 10_000;
/** Messages one pull asks for. */
const PULL_SIZE = 500;
const DEAD_LETTER_ATTRIBUTE = 'CloudPubSubDeadLetter';

/** What a pull returns per message, as far as this reads it (`google.pubsub.v1.IReceivedMessage`). */
interface Received {
  ackId?: string | null;
  message?: {
    messageId?: string | null;
    /** Bytes; a string is their base64, as protobuf's JSON form writes bytes. */
    data?: Uint8Array | string | null;
    attributes?: Record<string, string> | null;
    publishTime?: { seconds?: unknown; nanos?: number | null } | null;
  } | null;
}

export function pubsubDeadLetterSubscription(settings: GcpSettings): TransportDeadLetters {
  return new PubSubDeadLetterSubscription(settings);
}

class PubSubDeadLetterSubscription implements TransportDeadLetters {
  readonly where: string;
  readonly peekNote =
    `listing pulled each message, kept it leased for at most ${PEEK_LEASE_SECONDS} s while reading on, and handed it straight back (ack deadline 0): nothing was acknowledged`;
  readonly #settings: GcpSettings;
  readonly #pubsub: PubSub;
  #subscriber: Promise<v1.SubscriberClient> | undefined;

  constructor(settings: GcpSettings) {
    this.#settings = settings;
    this.#pubsub = createPubSub(settings);
    this.where = `Pub/Sub subscription ${settings.deadLetterSubscription} (dead-letter topic ${settings.deadLetterTopic})`;
  }

  async *peek(cap: number): AsyncIterable<Letter> {
    const ackIds: string[] = [];
    try {
      let seen = 0;
      for await (const batch of this.#pull()) {
        ackIds.push(...batch.map((m) => m.ackId ?? ''));
        await this.#lease(batch, PEEK_LEASE_SECONDS);
        for (const received of batch) {
          if (seen++ >= cap) return;
          yield this.#letter(received);
        }
      }
    } finally {
      await this.#lease(ackIds, 0);
    }
  }

  async redrive({ dryRun, since = 0 }: RedriveOptions): Promise<RedriveReport> {
    const report: RedriveReport = {
      from: this.where,
      to: `Pub/Sub topic ${this.#settings.topic}`,
      method: 'pull, publish to the topic, acknowledge',
      dryRun,
      moved: 0,
      skipped: [],
      notes: [],
    };
    if (dryRun) return dryRunReport(report, this.peek(Number.POSITIVE_INFINITY), since);
    const started = Date.now();
    const later: string[] = [];
    const topic = this.#pubsub.topic(this.#settings.topic);
    try {
      for await (const batch of this.#pull()) {
        const now = batch.filter((m) => publishedAt(m) < started && publishedAt(m) >= since);
        later.push(...batch.filter((m) => !now.includes(m)).map((m) => m.ackId ?? ''));
        await this.#lease(now, PEEK_LEASE_SECONDS);
        await Promise.all(
          now.map((m) =>
            topic.publishMessage({
              data: dataOf(m),
              attributes: ownAttributes(m.message?.attributes),
            }),
          ),
        );
        const subscriber = await this.#client();
        await subscriber.acknowledge({
          subscription: this.#path(subscriber),
          ackIds: now.map((m) => m.ackId ?? ''),
        });
        report.moved += now.length;
      }
    } finally {
      await this.#lease(later, 0);
    }
    return report;
  }

  async close(): Promise<void> {
    await Promise.all([this.#subscriber?.then((s) => s.close()), this.#pubsub.close()]);
  }

  /** Batches of pulled messages, until two pulls in a row bring nothing not already pulled. */
  async *#pull(): AsyncIterable<Received[]> {
    const subscriber = await this.#client();
    const subscription = this.#path(subscriber);
    const pulled = new Set<string>();
    for (let empty = 0; empty < 2; ) {
      const [response] = await subscriber.pull(
        // returnImmediately is deprecated for consumers, but a reading must not wait for messages that are not there.
        { subscription, maxMessages: PULL_SIZE, returnImmediately: true },
        { timeout: CALL_TIMEOUT_MS },
      );
      const fresh = (response.receivedMessages ?? []).filter((m) => {
        const id = m.message?.messageId ?? '';
        if (pulled.has(id)) return false;
        pulled.add(id);
        return true;
      });
      empty = fresh.length === 0 ? empty + 1 : 0;
      if (fresh.length > 0) yield fresh;
    }
  }

  /** Sets the lease of pulled messages: `seconds` more, or 0 to hand them back now. */
  async #lease(messages: readonly (Received | string)[], seconds: number): Promise<void> {
    const ackIds = messages.map((m) => (typeof m === 'string' ? m : (m.ackId ?? ''))).filter(Boolean);
    if (ackIds.length === 0) return;
    const subscriber = await this.#client();
    for (let i = 0; i < ackIds.length; i += PULL_SIZE) {
      await subscriber.modifyAckDeadline(
        {
          subscription: this.#path(subscriber),
          ackIds: ackIds.slice(i, i + PULL_SIZE),
          ackDeadlineSeconds: seconds,
        },
        { timeout: CALL_TIMEOUT_MS },
      );
    }
  }

  #client(): Promise<v1.SubscriberClient> {
    // Pub/Sub's own documented way to build a v1 client like its own (the types come from two gax versions).
    this.#subscriber ??= this.#pubsub
      .getClientConfig()
      .then(
        (config) => new v1.SubscriberClient(config as ConstructorParameters<typeof v1.SubscriberClient>[0]),
      );
    return this.#subscriber;
  }

  #path(subscriber: v1.SubscriberClient): string {
    return subscriber.subscriptionPath(this.#pubsub.projectId, this.#settings.deadLetterSubscription);
  }

  #letter(received: Received): Letter {
    const message = received.message ?? {};
    const id = message.messageId ?? '';
    const attributes = message.attributes ?? {};
    const data = dataOf(received);
    const count = Number(attributes.CloudPubSubDeadLetterSourceDeliveryCount);
    const from = attributes.CloudPubSubDeadLetterSourceSubscription ?? 'its subscription';
    return {
      cloud: 'gcp',
      source: 'transport',
      kind: 'exhausted',
      id: `${TRANSPORT_ID_PREFIX.gcp}${id}`,
      at: publishedAt(received),
      reason:
        `exhausted its deliveries: the ingest function failed it on ${Number.isFinite(count) ? count : 'all'} delivery attempts from ${from}` +
        '; its metric lines name why (under the id it had before Pub/Sub forwarded it)',
      messageId: id,
      payload: payloadText(data),
      payloadTruncated: false,
      payloadBytes: data.byteLength,
      attempts: Number.isFinite(count)
        ? { count, note: 'CloudPubSubDeadLetterSourceDeliveryCount, as Pub/Sub forwarded it' }
        : { note: 'Pub/Sub forwarded it without a delivery count' },
      where: this.where,
      details: { ...attributes },
    };
  }
}

function dataOf(received: Received): Buffer {
  const data = received.message?.data ?? new Uint8Array();
  return typeof data === 'string' ? Buffer.from(data, 'base64') : Buffer.from(data);
}

function publishedAt(received: Received): number {
  const time = received.message?.publishTime;
  // Seconds come as a number, a string or a Long, depending on the client's options: each reads as its text.
  return time ? Number(String(time.seconds ?? 0)) * 1_000 + Math.floor((time.nanos ?? 0) / 1e6) : 0;
}

/** A message's own attributes, without those Pub/Sub added when it dead-lettered it. */
function ownAttributes(attributes: Record<string, string> | null | undefined): Record<string, string> {
  return Object.fromEntries(
    Object.entries(attributes ?? {}).filter(([name]) => !name.startsWith(DEAD_LETTER_ATTRIBUTE)),
  );
}
