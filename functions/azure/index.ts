/** The Azure Functions app: importing each function module registers it with the host (programming model v4). */
export { ingestEvents } from './ingest.ts';
export { readWindowsHttp } from './read.ts';
export { syncTimer } from './sync.ts';
