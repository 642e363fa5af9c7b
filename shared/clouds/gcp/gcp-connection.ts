/**
 * How a process reaches Google Cloud: an emulator's `host:port`, or the real service when none is given — with
 * Application Default Credentials, or the credential given as JSON (`TRICLOUD_GCP_CREDENTIALS_JSON`).
 * The SDKs hand `credentials` to google-auth-library's `GoogleAuth`, which builds a service-account (JWT) client
 * or, for `type: external_account`, a workload identity federation client, as it would from a file.
 * Each client has its own module (`firestore-client.ts`, `pubsub-client.ts`) so that code which needs one SDK —
 * the Cloud Functions need only Firestore — does not load the other.
 */
import type { GcpCredentials } from '../settings.ts';

export interface GcpConnection {
  projectId: string;
  /** Absent means Application Default Credentials; ignored by emulators, which take none. */
  credentials?: GcpCredentials;
  pubsubEmulatorHost?: string;
  firestoreEmulatorHost?: string;
}
