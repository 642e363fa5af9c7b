/**
 * Runs the GCP ingest function the way `infra/gcp/pubsub.tf` deploys it: the built bundle (`npm run build`'s
 * `gcp-functions`) registers `ingest` with the Functions Framework, the real framework server serves it on a local
 * port, and a Pub/Sub PUSH subscription on the records topic posts each message to it. The framework, not this
 * host, turns the push body into the `google.cloud.pubsub.topic.v1.messagePublished` CloudEvent; a 2xx answer acks
 * the message, anything else makes Pub/Sub redeliver it, and the subscription's dead-letter policy (the deployed
 * one: the dead-letter topic after the manifest's max delivery attempts) takes it from there. Contrast
 * `pubsub-function-host.ts`, which pulls and builds the CloudEvent itself.
 *
 * The subscription is the host's own (a unique name, deleted by `stop()`), so it runs beside the pull host: every
 * message of the topic reaches both. Only an emulator can push to a local port; Terraform also sets an OIDC token,
 * which the emulator neither sends nor needs.
 */
import type { Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import functionsFramework, { type CloudEvent } from '@google-cloud/functions-framework';
import functionsFrameworkTesting from '@google-cloud/functions-framework/testing';
import type { PubSub, Subscription } from '@google-cloud/pubsub';
import type { PubSubMessagePublished } from '../../functions/gcp/ingest.ts';
import { bundle } from '../build/bundle.ts';
import { deployables } from '../build/deployables.ts';
import { loadManifest } from '../local-stack/manifest.ts';
import type { HostStats, TriggerHost } from './host-loop.ts';

/** The function name `functions/gcp/ingest.ts` registers, and Terraform's entry point. */
export const INGEST_FUNCTION = 'ingest';

/** The retry policy of `google_pubsub_subscription.ingest` in `infra/gcp/pubsub.tf`. */
export const DEPLOYED_RETRY_POLICY = { minimumBackoffSeconds: 10, maximumBackoffSeconds: 600 };
/** `ack_deadline_seconds` there: how long Pub/Sub waits for the function's answer before it redelivers. */
export const DEPLOYED_ACK_DEADLINE_SECONDS = 60;

export interface PubSubPushHostOptions {
  pubsub: PubSub;
  projectId: string;
  /** The records topic; the push endpoint's path names it, as Terraform's does, and the framework reads it there. */
  topic: string;
  deadLetterTopic: string;
  /** Default: `gcp.maxDeliveryAttempts` of `infra/manifest.json`, as provisioned and deployed. */
  maxDeliveryAttempts?: number;
  /** Default: the deployed policy (10 s to 600 s); `null` for none (the emulator then pushes again after ≈ 1 s). */
  retryPolicy?: { minimumBackoffSeconds: number; maximumBackoffSeconds: number } | null;
  /** Default: a unique `<topic>-push-…`, deleted on `stop()`. */
  subscription?: string;
  /** Registers `ingest` with the Functions Framework; default: bundle `gcp-functions` and import the bundle. */
  load?: () => Promise<unknown>;
  /** Each invocation, after the function settled: the CloudEvent the framework built and the outcome. */
  onDelivery?: (delivery: PushDelivery) => void;
}

export interface PushDelivery {
  event: CloudEvent<PubSubMessagePublished>;
  /** `performance.now()` when the function was called, and how long it ran. */
  startedAt: number;
  durationMs: number;
  /** The function's error, if it threw (the framework then answers 500 and Pub/Sub redelivers). */
  error?: string;
}

export interface PushHostStats extends HostStats {
  /** Answers of the framework server by HTTP status, including any it gave without calling the function. */
  responses: Record<number, number>;
}

export interface PubSubPushHost extends TriggerHost {
  readonly stats: PushHostStats;
  /** The framework server's base URL. */
  readonly url: string;
  /** Full name of the push subscription. */
  readonly subscription: string;
}

const root = path.resolve(import.meta.dirname, '..', '..');

/** Builds the GCP bundle (as `npm run build` does, without the zip) and imports it, which registers its functions. */
export async function loadBuiltGcpFunctions(): Promise<unknown> {
  const deployable = deployables.find((d) => d.name === 'gcp-functions');
  if (!deployable) throw new Error('no deployable named gcp-functions in scripts/build/deployables.ts');
  const built = await bundle(root, deployable);
  return import(pathToFileURL(built.file).href);
}

export async function startPubSubPushHost(options: PubSubPushHostOptions): Promise<PubSubPushHost> {
  const stats: PushHostStats = { invocations: 0, messages: 0, failedMessages: 0, errors: 0, responses: {} };
  await (options.load ?? loadBuiltGcpFunctions)();
  const server = frameworkServer(stats, options.onDelivery);
  const url = await listen(server);
  let subscription: Subscription;
  try {
    subscription = await createPushSubscription(options, url);
  } catch (error) {
    await close(server);
    throw error;
  }
  return {
    name: 'pubsub-push',
    stats,
    url,
    subscription: subscription.name,
    async stop() {
      // No more pushes first; then the server finishes what it is answering and closes.
      await subscription.delete().catch((error: unknown) => {
        stats.errors++;
        stats.lastError = error instanceof Error ? error.message : String(error);
      });
      await close(server);
    },
  };
}

/**
 * The framework's own server for the registered `ingest`, created while a wrapper that observes each invocation
 * stands in the registry (the server keeps the function it was created with); the bundle's registration is put
 * back at once. The wrapper passes the framework's CloudEvent through untouched and rethrows.
 */
function frameworkServer(stats: PushHostStats, onDelivery: PubSubPushHostOptions['onDelivery']): Server {
  const ingest = functionsFrameworkTesting.getFunction(INGEST_FUNCTION) as
    | ((event: CloudEvent<PubSubMessagePublished>) => Promise<unknown>)
    | undefined;
  if (typeof ingest !== 'function')
    throw new Error(
      `the GCP bundle registered no function '${INGEST_FUNCTION}' with the Functions Framework`,
    );
  const observed = async (event: CloudEvent<PubSubMessagePublished>) => {
    stats.invocations++;
    stats.messages++;
    const startedAt = performance.now();
    try {
      const result = await ingest(event);
      onDelivery?.({ event, startedAt, durationMs: performance.now() - startedAt });
      return result;
    } catch (error) {
      stats.failedMessages++;
      stats.lastError = error instanceof Error ? error.message : String(error);
      onDelivery?.({ event, startedAt, durationMs: performance.now() - startedAt, error: stats.lastError });
      throw error;
    }
  };
  functionsFramework.cloudEvent(INGEST_FUNCTION, observed);
  try {
    const server = functionsFrameworkTesting.getTestServer(INGEST_FUNCTION);
    server.on('request', (_req, res: ServerResponse) => {
      res.on('finish', () => {
        stats.responses[res.statusCode] = (stats.responses[res.statusCode] ?? 0) + 1;
      });
    });
    return server;
  } finally {
    functionsFramework.cloudEvent(INGEST_FUNCTION, ingest);
  }
}

async function createPushSubscription(options: PubSubPushHostOptions, url: string): Promise<Subscription> {
  const maxDeliveryAttempts = options.maxDeliveryAttempts ?? (await loadManifest()).gcp.maxDeliveryAttempts;
  const retry = options.retryPolicy === undefined ? DEPLOYED_RETRY_POLICY : options.retryPolicy;
  const name =
    options.subscription ??
    `${options.topic}-push-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  const [subscription] = await options.pubsub.topic(options.topic).createSubscription(name, {
    // As Terraform's push_endpoint: the path names the topic, which the framework puts in the CloudEvent's source.
    pushConfig: { pushEndpoint: `${url}/projects/${options.projectId}/topics/${options.topic}` },
    ackDeadlineSeconds: DEPLOYED_ACK_DEADLINE_SECONDS,
    deadLetterPolicy: {
      deadLetterTopic: options.pubsub.topic(options.deadLetterTopic).name,
      maxDeliveryAttempts,
    },
    ...(retry
      ? {
          retryPolicy: {
            minimumBackoff: { seconds: retry.minimumBackoffSeconds },
            maximumBackoff: { seconds: retry.maximumBackoffSeconds },
          },
        }
      : {}),
  });
  return subscription;
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    });
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    // The emulator keeps its connections alive; idle ones would hold `close` open.
    server.closeIdleConnections();
  });
}
