/** Google Cloud clients built from settings: an emulator's `host:port`, or the real service when none is given. */
import { Firestore } from '@google-cloud/firestore';
import { PubSub } from '@google-cloud/pubsub';

export interface GcpConnection {
  projectId: string;
  pubsubEmulatorHost?: string;
  firestoreEmulatorHost?: string;
}

/**
 * With an emulator host, plain-text gRPC; the SDK then sends the emulator's `Bearer owner` header itself. The
 * universe domain is stated so gax does not probe for a GCE metadata server that a laptop does not have.
 * Note: Firestore's client lets `FIRESTORE_EMULATOR_HOST` in `process.env` override `host` here, so a process
 * that talks to two Firestore endpoints must keep the variable unset or equal to the one it means.
 */
export function createFirestore(c: GcpConnection): Firestore {
  if (!c.firestoreEmulatorHost) return new Firestore({ projectId: c.projectId });
  return new Firestore({
    projectId: c.projectId,
    host: c.firestoreEmulatorHost,
    ssl: false,
    universeDomain: 'googleapis.com',
  });
}

export function createPubSub(c: GcpConnection): PubSub {
  if (!c.pubsubEmulatorHost) return new PubSub({ projectId: c.projectId });
  return new PubSub({
    projectId: c.projectId,
    apiEndpoint: c.pubsubEmulatorHost,
    emulatorMode: true,
    universeDomain: 'googleapis.com',
  });
}
