/**
 * Pub/Sub as status sees it. The data plane cannot count a subscription: a subscription's backlog is a Cloud
 * Monitoring metric (`subscription/num_undelivered_messages`), which the emulator does not have and status does not
 * read. So the records subscription is only checked to exist, and the dead-letter subscription is counted by one
 * pull of up to {@link PEEK_CAP} messages handed straight back (ack deadline 0): nothing is acknowledged, and that
 * subscription has no dead-letter policy of its own that a delivery attempt could trip. The records subscription is
 * never pulled here — its delivery attempts count towards dead-lettering.
 */
import { type PubSub, v1 } from '@google-cloud/pubsub';
import { createPubSub } from '../../shared/clouds/gcp/pubsub-client.ts';
import type { GcpSettings } from '../../shared/clouds/settings.ts';
import type { TransportProbe } from './transport-aws.ts';

export const PEEK_CAP = 1_000;

export function gcpTransportProbe(settings: GcpSettings, timeoutMs: number): TransportProbe {
  const pubsub = createPubSub(settings);
  let subscriber: Promise<v1.SubscriberClient> | undefined;
  const local = settings.pubsubEmulatorHost !== undefined;
  return {
    async check() {
      // Pub/Sub's own documented way to build a v1 client like its own (the types come from two gax versions).
      subscriber ??= pubsub
        .getClientConfig()
        .then(
          (config) => new v1.SubscriberClient(config as ConstructorParameters<typeof v1.SubscriberClient>[0]),
        );
      const [, depth] = await Promise.all([
        pubsub.subscription(settings.subscription).getMetadata({ timeout: timeoutMs }),
        peekDepth(await subscriber, pubsub, settings, timeoutMs),
      ]);
      // One pull from the real service may return fewer messages than are there; the emulator returns them all.
      return {
        kind: 'Pub/Sub',
        deadLetterDepth: depth,
        ...(depth >= PEEK_CAP || (!local && depth > 0) ? { deadLetterDepthAtLeast: true } : {}),
      };
    },
    async close() {
      await Promise.all([subscriber?.then((s) => s.close()), pubsub.close()]);
    },
  };
}

async function peekDepth(
  subscriber: v1.SubscriberClient,
  pubsub: PubSub,
  settings: GcpSettings,
  timeoutMs: number,
): Promise<number> {
  const subscription = subscriber.subscriptionPath(pubsub.projectId, settings.deadLetterSubscription);
  const [response] = await subscriber.pull(
    // returnImmediately is deprecated for consumers, but a count must not wait for messages that are not there.
    { subscription, maxMessages: PEEK_CAP, returnImmediately: true },
    { timeout: timeoutMs },
  );
  const ackIds = (response.receivedMessages ?? []).flatMap((m) => (m.ackId ? [m.ackId] : []));
  if (ackIds.length > 0) {
    await subscriber.modifyAckDeadline(
      { subscription, ackIds, ackDeadlineSeconds: 0 },
      { timeout: timeoutMs },
    );
  }
  return ackIds.length;
}

/** What Google Cloud (or the emulators standing in for it) cannot tell status. */
export function gcpNotes(local: boolean): string[] {
  return [
    `backlog: Pub/Sub reports a subscription's undelivered messages only to Cloud Monitoring (num_undelivered_messages), ${local ? 'which the emulator does not have' : 'which status does not read'}`,
    `dead-letter subscription: counted by pulling up to ${PEEK_CAP.toLocaleString('en-US')} messages and handing them straight back; nothing is acknowledged`,
    local
      ? 'function errors: a local server has no Cloud Monitoring (the local trigger host counts failed messages in tricloud dev)'
      : 'function errors are Cloud Monitoring metrics of the Cloud Functions, which status does not read',
  ];
}
