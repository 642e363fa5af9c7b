/**
 * Whether a failed publish provably never reached the service. Failover may only move records away from a cloud
 * on such a *definite* failure: connection refused, an unknown host, or the service refusing who we are or what we
 * name (auth, not found). Anything else — a timeout, a reset after the request left, a 5xx — is *ambiguous*: the
 * service may have accepted the message, so it is retried to the same cloud and never sent elsewhere.
 */
export type FailureKind = 'definite' | 'ambiguous';

const DEFINITE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
/** gRPC NOT_FOUND, PERMISSION_DENIED, UNAUTHENTICATED. */
const DEFINITE_GRPC = new Set([5, 7, 16]);

export function classifyFailure(error: unknown): FailureKind {
  for (let e: unknown = error, depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    const x = e as {
      code?: unknown;
      errno?: unknown;
      message?: unknown;
      $metadata?: { httpStatusCode?: number };
      statusCode?: unknown;
      cause?: unknown;
      errors?: unknown;
    };
    if (typeof x.code === 'string' && DEFINITE_CODES.has(x.code)) return 'definite';
    if (typeof x.code === 'number' && DEFINITE_GRPC.has(x.code)) return 'definite';
    const status =
      x.$metadata?.httpStatusCode ?? (typeof x.statusCode === 'number' ? x.statusCode : undefined);
    if (status === 401 || status === 403 || status === 404) return 'definite';
    // Some clients report a refused connection only in the message (Event Hubs' AMQP, gRPC's details).
    if (typeof x.message === 'string' && /ECONNREFUSED|ENOTFOUND|getaddrinfo/.test(x.message))
      return 'definite';
    if (
      Array.isArray(x.errors) &&
      x.errors.length > 0 &&
      x.errors.every((i) => classifyFailure(i) === 'definite')
    )
      return 'definite';
    e = x.cause;
  }
  return 'ambiguous';
}

/**
 * One line saying why a publish failed, for the progress display. Event Hubs' client reports a refused connection
 * as an `AggregateError` with an empty message: the first inner error then speaks for it.
 */
export function describeFailure(error: unknown): string {
  const e = error as { message?: unknown; errors?: unknown } | undefined;
  let text = typeof e?.message === 'string' ? e.message : '';
  if (!text && Array.isArray(e?.errors) && e.errors.length > 0) {
    const inner = describeFailure(e.errors[0]);
    text = e.errors.length > 1 ? `${inner} (and ${e.errors.length - 1} more)` : inner;
  }
  return (text.split('\n')[0] || String(error)).slice(0, 200);
}
