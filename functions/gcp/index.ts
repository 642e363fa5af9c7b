/** The GCP deployable: one source for the three Cloud Functions, each registered under its entry point name. */
export { ingestPubSub } from './ingest.ts';
export { readWindowsHttp } from './read.ts';
export { syncTick } from './sync.ts';
