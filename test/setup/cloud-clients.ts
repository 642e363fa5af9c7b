/**
 * SDK clients for the integration tests, built from the env the global setup provides. Tests never know whether
 * they talk to the local stack or to real clouds: these factories hide which.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { CosmosClient } from '@azure/cosmos';
import { Firestore } from '@google-cloud/firestore';
import type { PubSub } from '@google-cloud/pubsub';
import { inject } from 'vitest';
import { createCosmosClient } from '../../scripts/local-stack/cosmos-client.ts';
import { createPubSubClient } from '../../scripts/local-stack/pubsub-client.ts';
import {
  type AwsSettings,
  type AzureSettings,
  type GcpSettings,
  readAwsSettings,
  readAzureSettings,
  readGcpSettings,
} from '../../shared/config/local-env.ts';

export function awsSettings(): AwsSettings {
  return readAwsSettings(inject('tricloudEnv'));
}

export function gcpSettings(): GcpSettings {
  return readGcpSettings(inject('tricloudEnv'));
}

export function azureSettings(): AzureSettings {
  return readAzureSettings(inject('tricloudEnv'));
}

export function sqsClient(aws: AwsSettings = awsSettings()): SQSClient {
  return new SQSClient({ region: aws.region, endpoint: aws.sqsEndpoint, credentials: aws.credentials });
}

export function dynamoClient(aws: AwsSettings = awsSettings()): DynamoDBClient {
  return new DynamoDBClient({
    region: aws.region,
    endpoint: aws.dynamodbEndpoint,
    credentials: aws.credentials,
  });
}

export function pubsubClient(gcp: GcpSettings = gcpSettings()): PubSub {
  return createPubSubClient({
    projectId: gcp.projectId,
    ...(gcp.pubsubEmulatorHost !== undefined ? { emulatorHost: gcp.pubsubEmulatorHost } : {}),
  });
}

export function firestoreClient(gcp: GcpSettings = gcpSettings()): Firestore {
  // `ssl: false` is how the client recognises an emulator (it then sends the emulator's admin token).
  return gcp.firestoreEmulatorHost === undefined
    ? new Firestore({ projectId: gcp.projectId })
    : new Firestore({ projectId: gcp.projectId, host: gcp.firestoreEmulatorHost, ssl: false });
}

export function cosmosClient(azure: AzureSettings = azureSettings()): CosmosClient {
  return createCosmosClient(azure);
}

/** A name no other test or run uses, within every service's naming rules (letters, digits, `-`). */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}
