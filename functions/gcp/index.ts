/** The GCP deployable: one source for both Cloud Functions, each registered under its entry point name. */
export { ingestPubSub } from './ingest.ts';
export { syncTick } from './sync.ts';
