/** Translates Firestore's gRPC failures into the core's errors at the edge; everything else passes through. */
import { ConflictError, ThrottledError, UnavailableError } from '../../core/index.ts';

// gRPC status codes: https://grpc.github.io/grpc/core/md_doc_statuscode.html
const ALREADY_EXISTS = 6;
const RESOURCE_EXHAUSTED = 8;
const FAILED_PRECONDITION = 9;
const ABORTED = 10;
const DEADLINE_EXCEEDED = 4;
const UNAVAILABLE = 14;
const INTERNAL = 13;

export function translateGcpError(error: unknown, what: string): unknown {
  if (!(error instanceof Error)) return error;
  const code = (error as { code?: number | string }).code;
  if (code === ALREADY_EXISTS || code === FAILED_PRECONDITION || code === ABORTED) {
    return new ConflictError(`${what}: another writer changed the document first`, { cause: error });
  }
  if (code === RESOURCE_EXHAUSTED) {
    return new ThrottledError(`${what}: throttled by Firestore`, { cause: error });
  }
  if (code === UNAVAILABLE || code === DEADLINE_EXCEEDED || code === INTERNAL || code === 'ECONNREFUSED') {
    return new UnavailableError(`${what}: Firestore is unavailable (${error.message})`, {
      cause: error,
    });
  }
  return error;
}
