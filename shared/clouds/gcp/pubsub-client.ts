/** The Pub/Sub client built from a {@link GcpConnection}: producers, trigger hosts and provisioning use it. */
import { PubSub } from '@google-cloud/pubsub';
import type { GcpConnection } from './gcp-connection.ts';

/** With an emulator host, plain-text gRPC in emulator mode; the universe domain is stated as for Firestore. */
export function createPubSub(c: GcpConnection): PubSub {
  if (!c.pubsubEmulatorHost)
    return new PubSub({ projectId: c.projectId, ...(c.credentials ? { credentials: c.credentials } : {}) });
  return new PubSub({
    projectId: c.projectId,
    apiEndpoint: c.pubsubEmulatorHost,
    emulatorMode: true,
    universeDomain: 'googleapis.com',
  });
}
