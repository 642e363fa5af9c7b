/** The Firestore client built from a {@link GcpConnection}. */
import { Firestore, type Settings } from '@google-cloud/firestore';
import type { GcpConnection } from './gcp-connection.ts';

/**
 * With an emulator host, plain-text gRPC; the SDK then sends the emulator's `Bearer owner` header itself. The
 * universe domain is stated so gax does not probe for a GCE metadata server that a laptop does not have.
 * Note: Firestore's client lets `FIRESTORE_EMULATOR_HOST` in `process.env` override `host` here, so a process
 * that talks to two Firestore endpoints must keep the variable unset or equal to the one it means.
 */
export function createFirestore(c: GcpConnection): Firestore {
  if (!c.firestoreEmulatorHost) {
    // Firestore's type names only a key's two fields, but it passes `credentials` unchanged to google-gax's
    // GoogleAuth, which also takes an external_account configuration (as PubSub's type says).
    const credentials = c.credentials as Settings['credentials'];
    return new Firestore({ projectId: c.projectId, ...(credentials ? { credentials } : {}) });
  }
  return new Firestore({
    projectId: c.projectId,
    host: c.firestoreEmulatorHost,
    ssl: false,
    universeDomain: 'googleapis.com',
  });
}
