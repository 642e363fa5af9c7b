/**
 * What an environment already says about where the six services are — before any settings are complete. `tricloud
 * stack up` starts a server only for a service whose endpoint is not given, and reaches the given ones with the
 * region, project, keys and certificate trust the environment names.
 */
import type { AwsCredentials } from '../../clouds/settings.ts';
import { ConfigError } from '../../core/errors.ts';
import { awsNames, readAwsCredentials } from './aws.ts';
import { azureNames } from './azure.ts';
import { gcpNames } from './gcp.ts';
import { type Env, flag, optional } from './values.ts';

/** The services of the three clouds, each with one endpoint variable. */
export type CloudService = 'sqs' | 'dynamodb' | 'pubsub' | 'firestore' | 'eventHubs' | 'cosmos';

export const endpointNames: Record<CloudService, string> = {
  sqs: awsNames.sqsEndpoint,
  dynamodb: awsNames.dynamodbEndpoint,
  pubsub: gcpNames.pubsubEmulatorHost,
  firestore: gcpNames.firestoreEmulatorHost,
  eventHubs: azureNames.eventHubConnectionString,
  cosmos: azureNames.cosmosEndpoint,
};

export interface GivenServices {
  /** Each service whose endpoint (for Event Hubs: connection string) is set. */
  endpoints: Partial<Record<CloudService, string>>;
  region?: string;
  awsCredentials?: AwsCredentials;
  projectId?: string;
  cosmosKey?: string;
  cosmosTrustSelfSignedCertificate: boolean;
}

/** Reads what is given; a Cosmos DB endpoint without its key is refused, naming both variables. */
export function readGivenServices(env: Env = process.env): GivenServices {
  const endpoints: Partial<Record<CloudService, string>> = {};
  for (const [service, name] of Object.entries(endpointNames) as [CloudService, string][]) {
    const value = optional(env, name);
    if (value !== undefined) endpoints[service] = value;
  }
  const cosmosKey = optional(env, azureNames.cosmosKey);
  if (endpoints.cosmos !== undefined && cosmosKey === undefined) {
    throw new ConfigError(
      `${azureNames.cosmosEndpoint} is set but ${azureNames.cosmosKey} is not: set both.`,
    );
  }
  const region = optional(env, awsNames.region);
  const awsCredentials = readAwsCredentials(env);
  const projectId = optional(env, gcpNames.projectId);
  return {
    endpoints,
    ...(region !== undefined ? { region } : {}),
    ...(awsCredentials !== undefined ? { awsCredentials } : {}),
    ...(projectId !== undefined ? { projectId } : {}),
    ...(cosmosKey !== undefined ? { cosmosKey } : {}),
    cosmosTrustSelfSignedCertificate: flag(env, azureNames.cosmosTrustSelfSignedCertificate),
  };
}
