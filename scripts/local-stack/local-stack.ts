/**
 * The local three-cloud stack as a library: starts the six servers that are not given from outside, waits until
 * each answers, provisions the manifest's resources on all of them and returns the settings that reach them, as
 * typed settings and as the env contract. Used by `tricloud stack up`, `tricloud dev`, the benchmarks and the
 * integration tests' global setup.
 *
 * The steps, in order: read what the environment gives ({@link readGivenServices}), start the other servers,
 * connect (endpoints, credentials, certificate trust), provision, and turn the settings into variables with the
 * contract's own writer ({@link cloudEnv}), so no variable is named here.
 */
import type { AwsConnection } from '../../shared/clouds/aws/clients.ts';
import type { CosmosConnection } from '../../shared/clouds/azure/clients.ts';
import {
  type CloudService,
  type CloudSettings,
  cloudEnv,
  type Env,
  type GivenServices,
  readGivenServices,
} from '../../shared/config/environment.ts';
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
import { type ProvisionedAws, provisionDynamo, provisionSqs } from './provision-aws.ts';
import { checkEventHub, provisionCosmos } from './provision-azure.ts';
import { provisionPubSub } from './provision-gcp.ts';

export type StackService = CloudService;

/** In the order they are reported; each has one endpoint variable in the contract. */
const SERVICES: readonly StackService[] = ['sqs', 'dynamodb', 'pubsub', 'firestore', 'eventHubs', 'cosmos'];

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
  /** What reaches the stack's servers and resources, typed. */
  settings: CloudSettings;
  /** The same settings as the env contract (see `shared/config/environment.ts`), for a file or a child process. */
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

/**
 * Starts the stack and resolves once every resource is provisioned.
 *
 * @example
 * const stack = await startLocalStack({ log: console.log });
 * try {
 *   const { aws } = stack.settings;
 *   const sqs = new SQSClient({ endpoint: aws.sqsEndpoint, region: aws.region, credentials: aws.credentials });
 * } finally {
 *   await stack.stop();
 * }
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const manifest = options.manifest ?? (await loadManifest());
  const given = readGivenServices(options.environment ?? process.env);
  const external = SERVICES.filter((s) => given.endpoints[s] !== undefined);
  const toStart = SERVICES.filter((s) => given.endpoints[s] === undefined);
  await checkGoogleEmulatorPrerequisites(toStart.filter(isGoogleEmulator));

  const servers = new StackServers(options.log ?? (() => {}));
  const place: ServerPlace = {
    host: options.host ?? '127.0.0.1',
    ports: options.preferredPorts ?? {},
    timeoutMs: options.startTimeoutMs ?? 60_000,
    region: given.region ?? manifest.aws.region,
    projectId: given.projectId ?? manifest.gcp.projectId,
    manifest,
  };
  const endpoints = { ...given.endpoints, ...(await startServers(toStart, place, servers)) };
  const connections = connect(given, place, endpoints as Record<StackService, string>, toStart);
  const queues = await provision(connections, manifest, external, servers);
  const settings = stackSettings(connections, queues, manifest);
  return {
    settings,
    env: cloudEnv(settings),
    started: toStart,
    external,
    childSessions: servers.sessions,
    stop: () => servers.stop(),
  };
}

function isGoogleEmulator(service: StackService): service is GoogleEmulator {
  return service === 'pubsub' || service === 'firestore';
}

/** Where and how the servers start, and the names they are started with. */
interface ServerPlace {
  host: string;
  ports: Partial<Record<StackService, number>>;
  timeoutMs: number;
  region: string;
  projectId: string;
  manifest: ResourceManifest;
}

/** The servers this stack started, to stop them all once (and the Java emulators' sessions, to measure). */
class StackServers {
  readonly sessions: number[] = [];
  private readonly stoppers: Array<() => Promise<void>> = [];
  private stopped: Promise<void> | undefined;
  private readonly log: (line: string) => void;

  constructor(log: (line: string) => void) {
    this.log = log;
  }

  track(service: StackService, server: Pick<InProcessServer, 'close'> | EmulatorProcess): void {
    this.stoppers.push('stop' in server ? () => server.stop() : () => server.close());
    if ('session' in server) this.sessions.push(server.session);
    this.log(`started ${service}`);
  }

  say(line: string): void {
    this.log(line);
  }

  stop(): Promise<void> {
    this.stopped ??= Promise.allSettled(this.stoppers.map((s) => s())).then((results) => {
      const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failures.length > 0) {
        throw new AggregateError(
          failures.map((f) => f.reason),
          'Some servers of the local stack did not stop cleanly.',
        );
      }
    });
    return this.stopped;
  }
}

/** Starts the servers at once; if any fails, stops those that started and says which failed. */
async function startServers(
  services: readonly StackService[],
  place: ServerPlace,
  servers: StackServers,
): Promise<Partial<Record<StackService, string>>> {
  const starts = await Promise.allSettled(
    services.map(async (service) => [service, await startServer(service, place, servers)] as const),
  );
  const failures = starts.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failures.length > 0) {
    await servers.stop().catch(() => {});
    if (failures.length === 1) throw failures[0]?.reason;
    const reasons = failures.map((f) => (f.reason instanceof Error ? f.reason.message : String(f.reason)));
    throw new AggregateError(
      failures.map((f) => f.reason),
      `${failures.length} servers of the local stack did not start: ${reasons.join(' | ')}`,
    );
  }
  const endpoints: Partial<Record<StackService, string>> = {};
  for (const start of starts) if (start.status === 'fulfilled') endpoints[start.value[0]] = start.value[1];
  return endpoints;
}

/** Starts one server and resolves to its endpoint (Event Hubs: the connection string). */
async function startServer(
  service: StackService,
  place: ServerPlace,
  servers: StackServers,
): Promise<string> {
  const { host, ports, manifest } = place;
  const tracked = <T extends Parameters<StackServers['track']>[1]>(server: T): T => {
    servers.track(service, server);
    return server;
  };
  switch (service) {
    case 'sqs':
      return tracked(await startSqsServer(host, place.region, ports.sqs)).endpoint;
    case 'dynamodb':
      return tracked(await startDynamoServer(host, ports.dynamodb)).endpoint;
    case 'cosmos':
      return tracked(await startCosmosServer(host, ports.cosmos)).endpoint;
    case 'pubsub':
    case 'firestore': {
      const port = ports[service];
      const emulator = await startGcloudEmulator(service, {
        projectId: place.projectId,
        host,
        timeoutMs: place.timeoutMs,
        ...(port !== undefined ? { preferredPort: port } : {}),
      });
      return tracked(emulator).hostPort;
    }
    case 'eventHubs': {
      const hub = manifest.azure.eventHub;
      const server = await startEventHubsServer({
        host,
        ...(ports.eventHubs !== undefined ? { port: ports.eventHubs } : {}),
        hubs: [
          {
            name: hub,
            partitions: manifest.azure.partitions,
            consumerGroups: [...new Set(['$Default', manifest.azure.consumerGroup])],
          },
        ],
      });
      return tracked(server).connectionString(hub);
    }
  }
}

/** How each cloud's clients reach the servers: endpoints, and the credentials and trust each server takes. */
interface Connections {
  aws: AwsConnection & { sqsEndpoint: string; dynamodbEndpoint: string };
  gcp: { projectId: string; pubsubEmulatorHost: string; firestoreEmulatorHost: string };
  azure: CosmosConnection & { eventHubConnectionString: string };
}

/**
 * Given keys win; a server started here gets dummy ones (it checks none); a service that is only given keeps the
 * SDK's default credentials. A Cosmos server started here is trusted for its self-signed certificate.
 */
function connect(
  given: GivenServices,
  place: ServerPlace,
  endpoints: Record<StackService, string>,
  started: readonly StackService[],
): Connections {
  const awsStarted = started.includes('sqs') || started.includes('dynamodb');
  const credentials = given.awsCredentials ?? (awsStarted ? localAwsCredentials : undefined);
  return {
    aws: {
      region: place.region,
      ...(credentials !== undefined ? { credentials } : {}),
      sqsEndpoint: endpoints.sqs,
      dynamodbEndpoint: endpoints.dynamodb,
    },
    gcp: {
      projectId: place.projectId,
      pubsubEmulatorHost: endpoints.pubsub,
      firestoreEmulatorHost: endpoints.firestore,
    },
    azure: {
      eventHubConnectionString: endpoints.eventHubs,
      cosmosEndpoint: endpoints.cosmos,
      cosmosKey: given.cosmosKey ?? localCosmosKey,
      cosmosTrustSelfSignedCertificate: started.includes('cosmos') || given.cosmosTrustSelfSignedCertificate,
    },
  };
}

/** Creates the manifest's resources everywhere (idempotently); on failure, stops the stack and says why. */
async function provision(
  connections: Connections,
  manifest: ResourceManifest,
  external: readonly StackService[],
  servers: StackServers,
): Promise<ProvisionedAws> {
  try {
    const [queues] = await Promise.all([
      provisionSqs(connections.aws, manifest),
      provisionDynamo(connections.aws, manifest),
      provisionPubSub(connections.gcp, manifest),
      provisionCosmos(connections.azure, manifest),
      // An Event Hub cannot be created through the data plane: one given from outside is only checked.
      external.includes('eventHubs')
        ? checkEventHub(connections.azure.eventHubConnectionString, manifest)
        : Promise.resolve(),
    ]);
    servers.say('provisioned every resource of the manifest');
    return queues;
  } catch (error) {
    await servers.stop().catch(() => {});
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`Provisioning the local stack failed: ${reason}`, { cause: error });
  }
}

/** The settings of every cloud: the connections, the queues provisioning made, the manifest's names. */
function stackSettings(
  connections: Connections,
  queues: ProvisionedAws,
  manifest: ResourceManifest,
): CloudSettings {
  const { aws, gcp, azure } = manifest;
  return {
    aws: {
      ...connections.aws,
      queueUrl: queues.queueUrl,
      deadLetterQueueUrl: queues.deadLetterQueueUrl,
      aggregatesTable: aws.aggregatesTable,
      changesIndex: aws.changesIndex,
      deadLettersTable: aws.deadLettersTable,
    },
    gcp: {
      ...connections.gcp,
      topic: gcp.topic,
      subscription: gcp.subscription,
      deadLetterTopic: gcp.deadLetterTopic,
      deadLetterSubscription: gcp.deadLetterSubscription,
      syncTopic: gcp.syncTopic,
      aggregatesCollection: gcp.aggregatesCollection,
      deadLettersCollection: gcp.deadLettersCollection,
      syncStateCollection: gcp.syncStateCollection,
    },
    azure: {
      ...connections.azure,
      eventHubName: azure.eventHub,
      consumerGroup: azure.consumerGroup,
      cosmosDatabase: azure.cosmosDatabase,
      aggregatesContainer: azure.aggregatesContainer,
      deadLettersContainer: azure.deadLettersContainer,
      syncStateContainer: azure.syncStateContainer,
    },
  };
}
