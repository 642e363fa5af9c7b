/**
 * The local three-cloud stack as a library: starts the six servers that are not given from outside, waits until
 * each answers, provisions the manifest's resources on all of them and returns the env contract pointing at them.
 * Used by `tricloud stack up` and by the integration tests' global setup.
 */
import { type Env, envNames } from '../../shared/config/environment.ts';
import { startEventHubsServer } from '../event-hubs-server/server.ts';
import { type EmulatorProcess, startGcloudEmulator } from './gcloud-emulator.ts';
import {
  type InProcessServer,
  startCosmosServer,
  startDynamoServer,
  startSqsServer,
} from './in-process-servers.ts';
import { loadManifest, type ResourceManifest } from './manifest.ts';
import { checkGoogleEmulatorPrerequisites, type GoogleEmulator } from './prerequisites.ts';
import { provisionDynamo, provisionSqs } from './provision-aws.ts';
import { checkEventHub, provisionCosmos } from './provision-azure.ts';
import { provisionPubSub } from './provision-gcp.ts';

export type StackService = 'sqs' | 'dynamodb' | 'pubsub' | 'firestore' | 'eventHubs' | 'cosmos';

export interface LocalStackOptions {
  /** Defaults to `infra/manifest.json`. */
  manifest?: ResourceManifest;
  /**
   * Where to look for servers that already run elsewhere (LocalStack, Microsoft's emulators, another machine):
   * a service whose endpoint variable is set here is not started, only provisioned. Defaults to `process.env`.
   */
  environment?: Env;
  /** Interface the started servers listen on; defaults to `127.0.0.1`. */
  host?: string;
  /** Ports to try first; a taken one falls back to a free port. Unset: any free port. */
  preferredPorts?: Partial<Record<StackService, number>>;
  /** How long one server may take to answer; defaults to 60 s. */
  startTimeoutMs?: number;
  /** Progress lines; silent by default. */
  log?: (line: string) => void;
}

export interface LocalStack {
  /** The env contract (see `shared/config/environment.ts`), ready to write to a file or hand to tests. */
  env: Record<string, string>;
  /** The services this stack started, and those it only provisioned because they were given from outside. */
  started: StackService[];
  external: StackService[];
  /** Sessions of the Java emulators (see `gcloud-emulator.ts`), for measuring their memory; empty if none started. */
  childSessions: number[];
  /** Stops every server this stack started, child processes included. Safe to call more than once. */
  stop(): Promise<void>;
}

/** What a local server needs of dummy credentials: the SDKs sign requests, the servers ignore the signature. */
const localAwsCredentials = { accessKeyId: 'local', secretAccessKey: 'local' };
/** Base64 of "local-cosmos-key": the SDK signs with it, the local server does not check it. */
const localCosmosKey = 'bG9jYWwtY29zbW9zLWtleQ==';

function given(environment: Env, name: string): string | undefined {
  const value = environment[name];
  return value === undefined || value === '' ? undefined : value;
}

/**
 * Starts the stack and resolves once every resource is provisioned.
 *
 * @example
 * const stack = await startLocalStack({ log: console.log });
 * try {
 *   const sqs = new SQSClient({ endpoint: stack.env.AWS_ENDPOINT_URL_SQS, region: stack.env.AWS_REGION });
 * } finally {
 *   await stack.stop();
 * }
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const manifest = options.manifest ?? (await loadManifest());
  const environment = options.environment ?? process.env;
  const host = options.host ?? '127.0.0.1';
  const timeoutMs = options.startTimeoutMs ?? 60_000;
  const log = options.log ?? (() => {});
  const ports = options.preferredPorts ?? {};

  const externalEndpoint: Record<StackService, string | undefined> = {
    sqs: given(environment, envNames.aws.sqsEndpoint),
    dynamodb: given(environment, envNames.aws.dynamodbEndpoint),
    pubsub: given(environment, envNames.gcp.pubsubEmulatorHost),
    firestore: given(environment, envNames.gcp.firestoreEmulatorHost),
    eventHubs: given(environment, envNames.azure.eventHubConnectionString),
    cosmos: given(environment, envNames.azure.cosmosEndpoint),
  };
  const services = Object.keys(externalEndpoint) as StackService[];
  const external = services.filter((s) => externalEndpoint[s] !== undefined);
  const toStart = services.filter((s) => externalEndpoint[s] === undefined);
  if (externalEndpoint.cosmos !== undefined && given(environment, envNames.azure.cosmosKey) === undefined) {
    throw new Error(
      `${envNames.azure.cosmosEndpoint} is set but ${envNames.azure.cosmosKey} is not: set both.`,
    );
  }

  const googleEmulators = toStart.filter((s): s is GoogleEmulator => s === 'pubsub' || s === 'firestore');
  await checkGoogleEmulatorPrerequisites(googleEmulators);

  const region = given(environment, envNames.aws.region) ?? manifest.aws.region;
  const projectId = given(environment, envNames.gcp.projectId) ?? manifest.gcp.projectId;
  const stoppers: Array<() => Promise<void>> = [];
  const childSessions: number[] = [];
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= Promise.allSettled(stoppers.map((s) => s())).then((results) => {
      const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failures.length > 0) {
        throw new AggregateError(
          failures.map((f) => f.reason),
          'Some servers of the local stack did not stop cleanly.',
        );
      }
    });
    return stopped;
  };

  const track = <T extends InProcessServer | EmulatorProcess>(service: StackService, server: T): T => {
    stoppers.push('close' in server ? () => server.close() : () => server.stop());
    if ('session' in server) childSessions.push(server.session);
    log(`started ${service}`);
    return server;
  };

  const startOne = async (service: StackService): Promise<[StackService, string]> => {
    switch (service) {
      case 'sqs':
        return [service, track(service, await startSqsServer(host, region, ports.sqs)).endpoint];
      case 'dynamodb':
        return [service, track(service, await startDynamoServer(host, ports.dynamodb)).endpoint];
      case 'cosmos':
        return [service, track(service, await startCosmosServer(host, ports.cosmos)).endpoint];
      case 'pubsub':
      case 'firestore': {
        const emulator = await startGcloudEmulator(service, {
          projectId,
          host,
          timeoutMs,
          ...(ports[service] !== undefined ? { preferredPort: ports[service] } : {}),
        });
        return [service, track(service, emulator).hostPort];
      }
      case 'eventHubs': {
        const server = await startEventHubsServer({
          host,
          ...(ports.eventHubs !== undefined ? { port: ports.eventHubs } : {}),
          hubs: [
            {
              name: manifest.azure.eventHub,
              partitions: manifest.azure.partitions,
              consumerGroups: [...new Set(['$Default', manifest.azure.consumerGroup])],
            },
          ],
        });
        stoppers.push(() => server.close());
        log(`started ${service}`);
        return [service, server.connectionString(manifest.azure.eventHub)];
      }
    }
  };

  const starts = await Promise.allSettled(toStart.map(startOne));
  const startFailures = starts.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (startFailures.length > 0) {
    await stop().catch(() => {});
    if (startFailures.length === 1) throw startFailures[0]?.reason;
    throw new AggregateError(
      startFailures.map((f) => f.reason),
      `${startFailures.length} servers of the local stack did not start: ${startFailures.map((f) => (f.reason instanceof Error ? f.reason.message : String(f.reason))).join(' | ')}`,
    );
  }
  const endpoint = { ...externalEndpoint };
  for (const result of starts) {
    if (result.status === 'fulfilled') endpoint[result.value[0]] = result.value[1];
  }

  const awsStartedLocally = toStart.includes('sqs') || toStart.includes('dynamodb');
  const accessKeyId = given(environment, envNames.aws.accessKeyId);
  const secretAccessKey = given(environment, envNames.aws.secretAccessKey);
  const credentials =
    accessKeyId !== undefined && secretAccessKey !== undefined
      ? { accessKeyId, secretAccessKey }
      : awsStartedLocally
        ? localAwsCredentials
        : undefined;
  const cosmosKey = given(environment, envNames.azure.cosmosKey) ?? localCosmosKey;
  const cosmosTrustSelfSigned =
    toStart.includes('cosmos') ||
    given(environment, envNames.azure.cosmosTrustSelfSignedCertificate) === 'true';
  const cosmosConnection = {
    cosmosEndpoint: endpoint.cosmos!,
    cosmosKey,
    cosmosTrustSelfSignedCertificate: cosmosTrustSelfSigned,
  };

  let provisioned: Awaited<ReturnType<typeof provisionSqs>>;
  try {
    const awsConnection = {
      region,
      ...(credentials !== undefined ? { credentials } : {}),
      ...(endpoint.sqs !== undefined ? { sqsEndpoint: endpoint.sqs } : {}),
      ...(endpoint.dynamodb !== undefined ? { dynamodbEndpoint: endpoint.dynamodb } : {}),
    };
    const [queues] = await Promise.all([
      provisionSqs(awsConnection, manifest),
      provisionDynamo(awsConnection, manifest),
      provisionPubSub({ projectId, pubsubEmulatorHost: endpoint.pubsub! }, manifest),
      provisionCosmos(cosmosConnection, manifest),
      external.includes('eventHubs') ? checkEventHub(endpoint.eventHubs!, manifest) : Promise.resolve(),
    ]);
    provisioned = queues;
    log('provisioned every resource of the manifest');
  } catch (error) {
    await stop().catch(() => {});
    throw new Error(
      `Provisioning the local stack failed: ${error instanceof Error ? error.message : String(error)}`,
      {
        cause: error,
      },
    );
  }

  const { aws, gcp, azure } = envNames;
  const env: Record<string, string> = {
    [aws.region]: region,
    ...(credentials !== undefined
      ? { [aws.accessKeyId]: credentials.accessKeyId, [aws.secretAccessKey]: credentials.secretAccessKey }
      : {}),
    [aws.sqsEndpoint]: endpoint.sqs!,
    [aws.dynamodbEndpoint]: endpoint.dynamodb!,
    [aws.queueUrl]: provisioned.queueUrl,
    [aws.deadLetterQueueUrl]: provisioned.deadLetterQueueUrl,
    [aws.aggregatesTable]: manifest.aws.aggregatesTable,
    [aws.changesIndex]: manifest.aws.changesIndex,
    [aws.deadLettersTable]: manifest.aws.deadLettersTable,
    [gcp.projectId]: projectId,
    [gcp.pubsubEmulatorHost]: endpoint.pubsub!,
    [gcp.firestoreEmulatorHost]: endpoint.firestore!,
    [gcp.topic]: manifest.gcp.topic,
    [gcp.subscription]: manifest.gcp.subscription,
    [gcp.deadLetterTopic]: manifest.gcp.deadLetterTopic,
    [gcp.deadLetterSubscription]: manifest.gcp.deadLetterSubscription,
    [gcp.syncTopic]: manifest.gcp.syncTopic,
    [gcp.aggregatesCollection]: manifest.gcp.aggregatesCollection,
    [gcp.deadLettersCollection]: manifest.gcp.deadLettersCollection,
    [gcp.syncStateCollection]: manifest.gcp.syncStateCollection,
    [azure.eventHubConnectionString]: endpoint.eventHubs!,
    [azure.eventHubName]: manifest.azure.eventHub,
    [azure.consumerGroup]: manifest.azure.consumerGroup,
    [azure.cosmosEndpoint]: endpoint.cosmos!,
    [azure.cosmosKey]: cosmosKey,
    [azure.cosmosTrustSelfSignedCertificate]: String(cosmosTrustSelfSigned),
    [azure.cosmosDatabase]: manifest.azure.cosmosDatabase,
    [azure.aggregatesContainer]: manifest.azure.aggregatesContainer,
    [azure.deadLettersContainer]: manifest.azure.deadLettersContainer,
    [azure.syncStateContainer]: manifest.azure.syncStateContainer,
  };
  return { env, started: toStart, external, childSessions, stop };
}
