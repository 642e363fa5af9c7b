/**
 * The three clouds' ingest functions behind their platforms' local trigger hosts, as `dev` runs them: SQS →
 * Lambda handler (batches of 10, as the event source mapping's default), Pub/Sub → Cloud Function as CloudEvents,
 * Event Hubs → Azure Functions handler with checkpoints.
 */
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { handler as awsIngest } from '../../functions/aws/ingest.ts';
import { ingestEvents } from '../../functions/azure/ingest.ts';
import { ingestPubSub } from '../../functions/gcp/ingest.ts';
import { createSqsClient } from '../../shared/clouds/aws/clients.ts';
import { createPubSub } from '../../shared/clouds/gcp/clients.ts';
import type { CloudSettings } from '../../shared/config/local-env.ts';
import type { Origin } from '../../shared/core/index.ts';
import { startEventHubsFunctionHost } from '../trigger-hosts/eventhubs-function-host.ts';
import type { TriggerHost } from '../trigger-hosts/host-loop.ts';
import { startPubSubFunctionHost } from '../trigger-hosts/pubsub-function-host.ts';
import { startSqsLambdaHost } from '../trigger-hosts/sqs-lambda-host.ts';

export async function startIngestHosts(settings: CloudSettings): Promise<Record<Origin, TriggerHost>> {
  const sqs = createSqsClient(settings.aws);
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: settings.aws.queueUrl, AttributeNames: ['QueueArn'] }),
  );
  const aws = startSqsLambdaHost({
    sqs,
    queueUrl: settings.aws.queueUrl,
    ...(Attributes?.QueueArn ? { queueArn: Attributes.QueueArn } : {}),
    region: settings.aws.region,
    handler: awsIngest,
    batchSize: 10,
  });
  const pubsub = createPubSub(settings.gcp);
  const gcp = startPubSubFunctionHost({
    pubsub,
    projectId: settings.gcp.projectId,
    subscription: settings.gcp.subscription,
    topic: settings.gcp.topic,
    handler: ingestPubSub,
  });
  const azure = startEventHubsFunctionHost({
    connectionString: settings.azure.eventHubConnectionString,
    eventHubName: settings.azure.eventHubName,
    consumerGroup: settings.azure.consumerGroup,
    handler: ingestEvents,
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
