/** A Pub/Sub client for an emulator or the real service, as the env contract says. */
import { PubSub } from '@google-cloud/pubsub';

export interface PubSubConnection {
  projectId: string;
  /** `host:port` of an emulator; absent means the real service with ambient credentials. */
  emulatorHost?: string;
}

export function createPubSubClient(connection: PubSubConnection): PubSub {
  if (connection.emulatorHost === undefined) return new PubSub({ projectId: connection.projectId });
  return new PubSub({
    projectId: connection.projectId,
    apiEndpoint: connection.emulatorHost,
    emulatorMode: true,
    // Without it, gax asks the credentials for their universe domain, which probes for the GCE metadata server
    // and warns when there is none; an emulator has no credentials to ask.
    universeDomain: 'googleapis.com',
  });
}
