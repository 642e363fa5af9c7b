/** Google Cloud's part of the environment contract: its variable names, read into settings and written back. */
import type { GcpCredentials, GcpSettings, GcpStoreSettings } from '../../clouds/settings.ts';
import { ConfigError } from '../../core/errors.ts';
import { gcpWebIdentityNames, readGcpWebIdentityCredentials } from './gcp-web-identity.ts';
import { type Env, optional, required, variable } from './values.ts';

export const gcpNames = {
  projectId: 'GOOGLE_CLOUD_PROJECT',
  credentialsJson: 'TRICLOUD_GCP_CREDENTIALS_JSON',
  pubsubEmulatorHost: 'PUBSUB_EMULATOR_HOST',
  firestoreEmulatorHost: 'FIRESTORE_EMULATOR_HOST',
  topic: 'TRICLOUD_PUBSUB_TOPIC',
  subscription: 'TRICLOUD_PUBSUB_SUBSCRIPTION',
  deadLetterTopic: 'TRICLOUD_PUBSUB_DEAD_LETTER_TOPIC',
  deadLetterSubscription: 'TRICLOUD_PUBSUB_DEAD_LETTER_SUBSCRIPTION',
  syncTopic: 'TRICLOUD_PUBSUB_SYNC_TOPIC',
  aggregatesCollection: 'TRICLOUD_FIRESTORE_AGGREGATES_COLLECTION',
  deadLettersCollection: 'TRICLOUD_FIRESTORE_DEAD_LETTERS_COLLECTION',
  syncStateCollection: 'TRICLOUD_FIRESTORE_SYNC_STATE_COLLECTION',
  /** The read function's URL (IAM invoker: requests carry a Google identity token). */
  readUrl: 'TRICLOUD_READ_URL_GCP',
  /** Workload identity federation for Azure's sync, instead of a key. */
  ...gcpWebIdentityNames,
} as const;

/** The variables that say which Firestore collections to read, and carry no secret and no local endpoint. */
export const gcpStoreLocators = [
  gcpNames.projectId,
  gcpNames.aggregatesCollection,
  gcpNames.deadLettersCollection,
  gcpNames.syncStateCollection,
] as const;

const credentialsFix =
  "Set it to the content of a service-account key file (type service_account) or of a workload identity federation credential configuration (type external_account, as 'gcloud iam workload-identity-pools create-cred-config' writes), or unset it to use Application Default Credentials.";

/** Fields without which google-auth-library cannot build a client of each credential type. */
const credentialFields: Record<GcpCredentials['type'], readonly string[]> = {
  service_account: ['client_email', 'private_key'],
  external_account: ['audience', 'subject_token_type', 'credential_source'],
};

/**
 * Parses `TRICLOUD_GCP_CREDENTIALS_JSON`. Errors never quote the value — it may hold a private key — only where
 * the JSON breaks and which field is missing.
 */
function readGcpCredentials(env: Env): GcpCredentials | undefined {
  const name = gcpNames.credentialsJson;
  const text = optional(env, name);
  if (text === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    // V8's message quotes the start of the text, so only the position is kept.
    const position = /position (\d+)/.exec(String(error))?.[1];
    throw new ConfigError(
      `The environment variable ${name} is not valid JSON${position ? ` (error at character ${position})` : ''}. ${credentialsFix}`,
    );
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError(`The environment variable ${name} is JSON but not an object. ${credentialsFix}`);
  }
  const fields = parsed as Record<string, unknown>;
  const type = fields.type;
  if (type !== 'service_account' && type !== 'external_account') {
    throw new ConfigError(
      `The environment variable ${name} has no "type" of service_account or external_account. ${credentialsFix}`,
    );
  }
  const missing = credentialFields[type].filter(
    (f) => fields[f] === undefined || fields[f] === null || fields[f] === '',
  );
  if (missing.length > 0) {
    throw new ConfigError(
      `The environment variable ${name} is a ${type} credential without ${missing.join(', ')}. ${credentialsFix}`,
    );
  }
  return { ...fields, type };
}

/** Reads what reaching Firestore takes; throws a {@link ConfigError} naming the first missing variable. */
export function readGcpStoreSettings(env: Env = process.env): GcpStoreSettings {
  const n = gcpNames;
  const given = readGcpCredentials(env);
  const federated = readGcpWebIdentityCredentials(env);
  if (given !== undefined && federated !== undefined) {
    throw new ConfigError(
      `${n.credentialsJson} and ${n.tokenSource} are both set, so it is unclear who reaches Google Cloud: unset the ` +
        `key (${n.credentialsJson}) to use the app's identity, or ${n.tokenSource} to use the key.`,
    );
  }
  const credentials = given ?? federated;
  const firestoreEmulatorHost = optional(env, n.firestoreEmulatorHost);
  return {
    projectId: required(env, n.projectId),
    ...(credentials !== undefined ? { credentials } : {}),
    ...(firestoreEmulatorHost !== undefined ? { firestoreEmulatorHost } : {}),
    aggregatesCollection: required(env, n.aggregatesCollection),
    deadLettersCollection: required(env, n.deadLettersCollection),
    syncStateCollection: required(env, n.syncStateCollection),
  };
}

/** Reads the Google Cloud settings; throws a {@link ConfigError} naming the first missing variable. */
export function readGcpSettings(env: Env = process.env): GcpSettings {
  const n = gcpNames;
  const pubsubEmulatorHost = optional(env, n.pubsubEmulatorHost);
  return {
    ...readGcpStoreSettings(env),
    ...(pubsubEmulatorHost !== undefined ? { pubsubEmulatorHost } : {}),
    topic: required(env, n.topic),
    subscription: required(env, n.subscription),
    deadLetterTopic: required(env, n.deadLetterTopic),
    deadLetterSubscription: required(env, n.deadLetterSubscription),
    syncTopic: required(env, n.syncTopic),
  };
}

/** The variables that {@link readGcpSettings} (or, without the topics, {@link readGcpStoreSettings}) reads back. */
export function gcpEnv(settings: GcpStoreSettings & Partial<GcpSettings>): Record<string, string> {
  const n = gcpNames;
  const s = settings;
  return {
    [n.projectId]: s.projectId,
    ...variable(n.credentialsJson, s.credentials === undefined ? undefined : JSON.stringify(s.credentials)),
    ...variable(n.pubsubEmulatorHost, s.pubsubEmulatorHost),
    ...variable(n.firestoreEmulatorHost, s.firestoreEmulatorHost),
    ...variable(n.topic, s.topic),
    ...variable(n.subscription, s.subscription),
    ...variable(n.deadLetterTopic, s.deadLetterTopic),
    ...variable(n.deadLetterSubscription, s.deadLetterSubscription),
    ...variable(n.syncTopic, s.syncTopic),
    [n.aggregatesCollection]: s.aggregatesCollection,
    [n.deadLettersCollection]: s.deadLettersCollection,
    [n.syncStateCollection]: s.syncStateCollection,
  };
}
