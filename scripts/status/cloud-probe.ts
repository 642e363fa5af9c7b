/**
 * One cloud's checks, run together under one deadline: its transport (queue, topic or hub), its dead-letter store,
 * its documents and the sync watermarks its store keeps for the other two. Each service that fails or stays silent
 * is named with why, and the rest is still reported: a down DynamoDB does not hide the SQS counts. Clients are
 * built once per probe and reused on every check (`--watch`, the live page).
 */
import type { CheckpointStore } from '@azure/event-hubs';
import { createAwsStores } from '../../shared/clouds/aws/aws-stores.ts';
import { createAzureStores } from '../../shared/clouds/azure/azure-stores.ts';
import type { DeadLetterItem } from '../../shared/clouds/dead-letter-item.ts';
import { createGcpStores } from '../../shared/clouds/gcp/gcp-stores.ts';
import {
  type Env,
  readAwsSettings,
  readAzureSettings,
  readGcpSettings,
} from '../../shared/config/environment.ts';
import { type AggregateStore, ORIGINS, type Origin } from '../../shared/core/index.ts';
import { summarizeDeadLetters } from './dead-letter-reasons.ts';
import { within } from './deadline.ts';
import { type DocumentCensus, documentCensus } from './document-census.ts';
import { SERVICES, type SourceSync } from './status-model.ts';
import { pendingChanges, sourceSync } from './sync-lag.ts';
import { awsNotes, awsTransportProbe, type TransportProbe } from './transport-aws.ts';
import { azureNotes, azureTransportProbe } from './transport-azure.ts';
import { gcpNotes, gcpTransportProbe } from './transport-gcp.ts';

/** Dead letters read per check at most; past it the counts are lower bounds. */
export const LETTERS_CAP = 10_000;

export interface ProbeOptions {
  deadlineMs: number;
  /** The Event Hubs consumer group's checkpoint store, when the caller has one (a process running the host). */
  checkpointStore?: CheckpointStore;
}

/** A cloud's clients: what its checks read. */
export interface CloudClients {
  cloud: Origin;
  local: boolean;
  notes: string[];
  store: AggregateStore;
  deadLetters: { list(): AsyncIterable<DeadLetterItem> };
  transport: TransportProbe;
  census: DocumentCensus;
  close(): Promise<void>;
}

/** Builds a cloud's clients from the env contract; throws the ConfigError naming a missing variable. */
export function openCloudClients(cloud: Origin, env: Env, options: ProbeOptions): CloudClients {
  const opened = openAdapters(cloud, env, options);
  const census = documentCensus(opened.stores.store);
  return {
    cloud,
    local: opened.local,
    notes: opened.notes,
    store: opened.stores.store,
    deadLetters: opened.stores.deadLetters,
    transport: opened.transport,
    census,
    async close() {
      await Promise.allSettled([opened.stores.close(), opened.transport.close()]);
    },
  };
}

function openAdapters(cloud: Origin, env: Env, options: ProbeOptions) {
  switch (cloud) {
    case 'aws': {
      const settings = readAwsSettings(env);
      const local = settings.sqsEndpoint !== undefined || settings.dynamodbEndpoint !== undefined;
      return {
        local,
        notes: awsNotes(local),
        stores: createAwsStores(settings),
        transport: awsTransportProbe(settings),
      };
    }
    case 'gcp': {
      const settings = readGcpSettings(env);
      const local = settings.pubsubEmulatorHost !== undefined || settings.firestoreEmulatorHost !== undefined;
      return {
        local,
        notes: gcpNotes(local),
        stores: createGcpStores(settings),
        transport: gcpTransportProbe(settings, options.deadlineMs),
      };
    }
    case 'azure': {
      const settings = readAzureSettings(env);
      const local =
        settings.cosmosTrustSelfSignedCertificate ||
        /UseDevelopmentEmulator=true/i.test(settings.eventHubConnectionString);
      return {
        local,
        notes: azureNotes(local, options.checkpointStore !== undefined),
        stores: createAzureStores(settings),
        transport: azureTransportProbe(settings, options.checkpointStore),
      };
    }
  }
}

/** Reads up to {@link LETTERS_CAP} letters; the listing is left (and its stream closed) at the cap. */
export async function readLetters(deadLetters: CloudClients['deadLetters'], now: number) {
  const letters: { reason: string; at: number }[] = [];
  let complete = true;
  for await (const letter of deadLetters.list()) {
    if (letters.length >= LETTERS_CAP) {
      complete = false;
      break;
    }
    letters.push({ reason: letter.reason, at: letter.at });
  }
  return summarizeDeadLetters(letters, now, complete);
}

/**
 * Where `clients`' store stands in each other cloud's change order. A failure to read the watermark is this
 * store's problem; a source that does not answer is the source's, said on the line and not held against this cloud.
 */
export async function checkSync(
  clients: CloudClients,
  sources: Partial<Record<Origin, AggregateStore>>,
  deadlineAt: number,
  options: ProbeOptions,
  now: number,
): Promise<{ lines: SourceSync[]; storeError?: string }> {
  let storeError: string | undefined;
  const lines = await Promise.all(
    ORIGINS.filter((o) => o !== clients.cloud).map(async (source): Promise<SourceSync> => {
      const watermark = await within(clients.store.readWatermark(source), deadlineAt, options.deadlineMs);
      if (!watermark.ok) {
        storeError ??= watermark.error;
        return { source, error: `the sync state did not answer: ${watermark.error}` };
      }
      const store = sources[source];
      if (store === undefined) return { source, error: `${source} is not configured` };
      const pending = await within(pendingChanges(store, watermark.value), deadlineAt, options.deadlineMs);
      if (!pending.ok) {
        return {
          source,
          ...(watermark.value ? { watermarkAt: watermark.value.updatedAt } : {}),
          error: `${source}'s ${SERVICES[source].store} did not answer: ${pending.error}`,
        };
      }
      return sourceSync(source, watermark.value, pending.value, now);
    }),
  );
  return { lines, ...(storeError !== undefined ? { storeError } : {}) };
}
