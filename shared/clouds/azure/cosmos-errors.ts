/** Translates Cosmos DB's HTTP failures into the core's errors at the edge; everything else passes through. */
import { ConflictError, ThrottledError, UnavailableError } from '../../core/index.ts';

const NETWORK = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN']);

export function translateAzureError(error: unknown, what: string): unknown {
  if (!(error instanceof Error)) return error;
  const status =
    (error as { code?: number | string; statusCode?: number }).statusCode ??
    (error as { code?: unknown }).code;
  if (status === 409 || status === 412) {
    return new ConflictError(`${what}: another writer changed the item first`, { cause: error });
  }
  if (status === 429) {
    return new ThrottledError(`${what}: throttled by Cosmos DB (429)`, {
      cause: error,
    });
  }
  if ((typeof status === 'number' && status >= 500) || NETWORK.has(String(status)) || status === 408) {
    return new UnavailableError(`${what}: Cosmos DB is unavailable (${String(status)})`, {
      cause: error,
    });
  }
  return error;
}
