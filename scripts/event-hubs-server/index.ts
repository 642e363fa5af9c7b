/** The local Event Hubs server's public surface. */
export type { EventHubSpec, EventHubsServerOptions, RunningEventHubsServer } from './server.ts';
export { startEventHubsServer } from './server.ts';
