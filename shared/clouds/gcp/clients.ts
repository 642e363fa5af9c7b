/**
 * Google Cloud clients built from settings: an emulator's `host:port`, or the real service when none is given —
 * with Application Default Credentials, or the credential given as JSON (`TRICLOUD_GCP_CREDENTIALS_JSON`).
 * The SDKs hand `credentials` to google-auth-library's `GoogleAuth`, which builds a service-account (JWT) client
 * or, for `type: external_account`, a workload identity federation client, as it would from a file.
 */
import { Firestore, type Settings } from '@google-cloud/firestore';
import { PubSub } from '@google-cloud/pubsub';
import type { GcpCredentials } from '../../config/local-env.ts';

export interface GcpConnection {
  projectId: string;
  /** Absent means Application Default Credentials; ignored by emulators, which take none. */
  credentials?: GcpCredentials;
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
