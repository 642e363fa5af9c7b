/**
 * The resource manifest (`infra/manifest.json`): the one list of names that the local stack provisions and
 * Terraform's variables default to, so a test that passes locally addresses the same resources in the cloud.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';

export interface ResourceManifest {
  prefix: string;
  aws: {
    region: string;
    queue: string;
    deadLetterQueue: string;
    maxReceiveCount: number;
    visibilityTimeoutSeconds: number;
    aggregatesTable: string;
    changesIndex: string;
    /** The windows GSI (hash `seriesWindow`, range `start`); the store adapter's default name. */
    windowsIndex: string;
    deadLettersTable: string;
  };
  gcp: {
    region: string;
    projectId: string;
    topic: string;
    subscription: string;
    deadLetterTopic: string;
    deadLetterSubscription: string;
    maxDeliveryAttempts: number;
    syncTopic: string;
    aggregatesCollection: string;
    deadLettersCollection: string;
    syncStateCollection: string;
  };
  azure: {
    location: string;
    eventHub: string;
    partitions: number;
    consumerGroup: string;
    cosmosDatabase: string;
    aggregatesContainer: string;
    deadLettersContainer: string;
    syncStateContainer: string;
  };
}

export const defaultManifestPath = path.resolve(import.meta.dirname, '..', '..', 'infra', 'manifest.json');

/** Reads the manifest; a malformed file fails here, with the field named, rather than half-way through provisioning. */
export async function loadManifest(file: string = defaultManifestPath): Promise<ResourceManifest> {
  let parsed: ResourceManifest;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8')) as ResourceManifest;
  } catch (error) {
    throw new Error(
      `The resource manifest ${file} cannot be read (${(error as Error).message}): give a JSON file shaped like infra/manifest.json.`,
    );
  }
  const problems: string[] = [];
  for (const cloud of ['aws', 'gcp', 'azure'] as const) {
    if (typeof parsed[cloud] !== 'object' || parsed[cloud] === null) problems.push(`'${cloud}' is missing`);
  }
  if (problems.length === 0) {
    if (!Number.isInteger(parsed.aws.maxReceiveCount) || parsed.aws.maxReceiveCount < 1) {
      problems.push('aws.maxReceiveCount must be a positive integer');
    }
    const attempts = parsed.gcp.maxDeliveryAttempts;
    if (!Number.isInteger(attempts) || attempts < 5 || attempts > 100) {
      problems.push(
        'gcp.maxDeliveryAttempts must be an integer from 5 to 100 (Pub/Sub rejects other values)',
      );
    }
    if (!Number.isInteger(parsed.azure.partitions) || parsed.azure.partitions < 4) {
      problems.push('azure.partitions must be an integer of at least 4');
    }
  }
  if (problems.length > 0) {
    throw new Error(`The resource manifest ${file} is invalid: ${problems.join('; ')}.`);
  }
  return parsed;
}
