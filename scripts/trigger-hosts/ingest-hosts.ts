/**
 * The three clouds' ingest functions behind their platforms' local trigger hosts, as `dev` runs them: SQS →
 * Lambda handler (batches of 10, as the event source mapping's default), Pub/Sub → Cloud Function as CloudEvents,
 * Event Hubs → Azure Functions handler with checkpoints. The handlers are given: `dev` passes the built bundles';
 * by default they are the sources' (for callers that run without a build).
 */
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { createSqsClient } from '../../shared/clouds/aws/clients.ts';
import { createPubSub } from '../../shared/clouds/gcp/pubsub-client.ts';
import type { CloudSettings } from '../../shared/config/environment.ts';
import type { Origin } from '../../shared/core/index.ts';
import { type EventHubsFunctionHostOptions, startEventHubsFunctionHost } from './eventhubs-function-host.ts';
import type { TriggerHost } from './host-loop.ts';
import { type PubSubFunctionHostOptions, startPubSubFunctionHost } from './pubsub-function-host.ts';
import { type SqsLambdaHostOptions, startSqsLambdaHost } from './sqs-lambda-host.ts';

/** Each cloud's ingest entry point, with the signature its platform calls. */
export interface IngestHandlers {
  aws: SqsLambdaHostOptions['handler'];
  gcp: PubSubFunctionHostOptions['handler'];
  azure: EventHubsFunctionHostOptions['handler'];
}

/** The ingest functions as sources, loaded only when no handlers are given. */
async function sourceHandlers(): Promise<IngestHandlers> {
  const [aws, gcp, azure] = await Promise.all([
    import('../../functions/aws/ingest.ts'),
    import('../../functions/gcp/ingest.ts'),
    import('../../functions/azure/ingest.ts'),
  ]);
  return { aws: aws.handler, gcp: gcp.ingestPubSub, azure: azure.ingestEvents };
}

export interface IngestHostOptions {
  /** Visibility timeout of each SQS receive, in place of the queue's own (60 s in the manifest). */
  sqsVisibilityTimeoutSeconds?: number;
}

export async function startIngestHosts(
  settings: CloudSettings,
  handlers?: IngestHandlers,
  options: IngestHostOptions = {},
): Promise<Record<Origin, TriggerHost>> {
  const handler = handlers ?? (await sourceHandlers());
  const sqs = createSqsClient(settings.aws);
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: settings.aws.queueUrl, AttributeNames: ['QueueArn'] }),
  );
  const aws = startSqsLambdaHost({
    sqs,
    queueUrl: settings.aws.queueUrl,
    ...(Attributes?.QueueArn ? { queueArn: Attributes.QueueArn } : {}),
    region: settings.aws.region,
    handler: handler.aws,
    batchSize: 10,
    ...(options.sqsVisibilityTimeoutSeconds
      ? { visibilityTimeoutSeconds: options.sqsVisibilityTimeoutSeconds }
      : {}),
  });
  const pubsub = createPubSub(settings.gcp);
  const gcp = startPubSubFunctionHost({
    pubsub,
    projectId: settings.gcp.projectId,
    subscription: settings.gcp.subscription,
    topic: settings.gcp.topic,
    handler: handler.gcp,
  });
  const azure = startEventHubsFunctionHost({
    connectionString: settings.azure.eventHubConnectionString,
    eventHubName: settings.azure.eventHubName,
    consumerGroup: settings.azure.consumerGroup,
    handler: handler.azure,
  });
  const withClients = (host: TriggerHost, close: () => Promise<void> | void): TriggerHost => ({
    name: host.name,
    stats: host.stats,
    async stop() {
      await host.stop();
      await close();
    },
  });
  return {
    aws: withClients(aws, () => sqs.destroy()),
    gcp: withClients(gcp, () => pubsub.close()),
    azure,
  };
}
