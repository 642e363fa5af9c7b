/**
 * Message size limits per transport, below each service's hard limit with room for the envelope's attributes:
 * SQS accepts 1 MiB per message and per SendMessageBatch request; Event Hubs (Standard) 1 MB per event and
 * batch; Pub/Sub 10 MB per message. One message size for all three keeps a message portable between clouds
 * (a failover re-sends the same bytes) and small enough for every dead-letter store's item limit.
 */
export const MESSAGE_MAX_BYTES = 256 * 1024;
/** SQS SendMessageBatch: at most 10 entries and 1 MiB in total. */
export const SQS_BATCH_ENTRIES = 10;
export const SQS_BATCH_BYTES = 1024 * 1024;
