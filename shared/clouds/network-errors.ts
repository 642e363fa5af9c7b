/**
 * The network failures all three error translators read as "the store is unavailable, retry later": one list, so
 * a refused or reset connection means the same on every cloud.
 */

/** Node's (libuv) and undici's codes for a connection that failed, dropped or timed out, or a name not resolved. */
export const NETWORK_ERROR_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  // An SDK's own request timeout: Cosmos DB's code for a request past `requestTimeout` (AWS's is its `name`).
  'TimeoutError',
]);

/**
 * The network error code of `error`, else of its `cause` or (Node's AggregateError when every address of a host
 * refused) of one of its `errors`, a few levels deep; `TimeoutError` for an SDK's request timeout (the AWS SDK
 * names it so, with or without a code); undefined when the failure is not a network one.
 */
export function networkErrorCode(error: unknown, depth = 3): string | undefined {
  if (typeof error !== 'object' || error === null || depth < 0) return undefined;
  const { code, name, cause, errors } = error as {
    code?: unknown;
    name?: unknown;
    cause?: unknown;
    errors?: unknown;
  };
  if (typeof code === 'string' && NETWORK_ERROR_CODES.has(code)) return code;
  if (name === 'TimeoutError') return name;
  const nested = [cause, ...(Array.isArray(errors) ? errors : [])];
  for (const inner of nested) {
    const found = networkErrorCode(inner, depth - 1);
    if (found) return found;
  }
  return undefined;
}
