/** The public surface of the pure core: records, windows, aggregates, documents, the envelope, the use cases. */
export * from './aggregate.ts';
export * from './conditional-update.ts';
export * from './envelope.ts';
export * from './errors.ts';
export * from './exact-sum.ts';
export * from './ingest.ts';
export * from './ingest-batch.ts';
export * from './origin.ts';
export * from './part.ts';
export * from './ports.ts';
export * from './record.ts';
export * from './retry.ts';
export * from './seq-set.ts';
export * from './sync.ts';
export * from './window.ts';
export * from './window-document.ts';
