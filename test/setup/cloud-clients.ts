/**
 * SDK clients for the integration tests, built from the env the global setup provides with the same factories
 * the functions use. Tests never know whether they talk to the local stack or to real clouds.
 */
import { inject } from 'vitest';
import { createDynamoClient, createSqsClient } from '../../shared/clouds/aws/clients.ts';
import { createCosmosClient } from '../../shared/clouds/azure/clients.ts';
import { createFirestore } from '../../shared/clouds/gcp/firestore-client.ts';
import { createPubSub } from '../../shared/clouds/gcp/pubsub-client.ts';
import {
  type AwsSettings,
  type AzureSettings,
  type GcpSettings,
  readAwsSettings,
  readAzureSettings,
  readGcpSettings,
} from '../../shared/config/environment.ts';

export function awsSettings(): AwsSettings {
  return readAwsSettings(inject('tricloudEnv'));
}

export function gcpSettings(): GcpSettings {
  return readGcpSettings(inject('tricloudEnv'));
}

export function azureSettings(): AzureSettings {
  return readAzureSettings(inject('tricloudEnv'));
}

export const sqsClient = (aws: AwsSettings = awsSettings()) => createSqsClient(aws);
export const dynamoClient = (aws: AwsSettings = awsSettings()) => createDynamoClient(aws);
export const pubsubClient = (gcp: GcpSettings = gcpSettings()) => createPubSub(gcp);
export const firestoreClient = (gcp: GcpSettings = gcpSettings()) => createFirestore(gcp);
export const cosmosClient = (azure: AzureSettings = azureSettings()) => createCosmosClient(azure);

/** A name no other test or run uses, within every service's naming rules (letters, digits, `-`). */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}
