/**
 * Translates Firestore's gRPC failures into the core's errors at the edge; everything else passes through.
 * A refusal that retrying cannot change (a document too big, an invalid argument, a missing database, denied
 * access) becomes a {@link PermanentStoreError} whose message quotes Firestore and says what to do.
 */
import { ConflictError, PermanentStoreError, ThrottledError, UnavailableError } from '../../core/index.ts';
import { networkErrorCode } from '../network-errors.ts';

// gRPC status codes: https://grpc.github.io/grpc/core/md_doc_statuscode.html
const INVALID_ARGUMENT = 3;
const DEADLINE_EXCEEDED = 4;
const NOT_FOUND = 5;
const ALREADY_EXISTS = 6;
const PERMISSION_DENIED = 7;
const RESOURCE_EXHAUSTED = 8;
const FAILED_PRECONDITION = 9;
const ABORTED = 10;
const INTERNAL = 13;
const UNAVAILABLE = 14;
const UNAUTHENTICATED = 16;

/**
 * How Firestore (and its emulator) says a document or request is over its limits: "… exceeds the maximum allowed
 * size of 1,048,576 bytes", "entity is too big", "The value of property … is longer than 1048487 bytes".
 */
const TOO_BIG = /too big|too large|exceeds the maximum|exceeds the limit|longer than \d+ bytes/i;

export function translateGcpError(error: unknown, what: string): unknown {
  if (!(error instanceof Error)) return error;
  const code = (error as { code?: number | string }).code;
  if (code === ALREADY_EXISTS || code === FAILED_PRECONDITION || code === ABORTED) {
    return new ConflictError(`${what}: another writer changed the document first`, { cause: error });
  }
  if (code === RESOURCE_EXHAUSTED) {
    return new ThrottledError(`${what}: throttled by Firestore`, { cause: error });
  }
  const permanent = permanentGcpError(error, code, what);
  if (permanent) return permanent;
  const network = networkErrorCode(error);
  if (code === UNAVAILABLE || code === DEADLINE_EXCEEDED || code === INTERNAL || network) {
    return new UnavailableError(`${what}: Firestore is unavailable (${error.message})`, {
      cause: error,
    });
  }
  return error;
}

function permanentGcpError(
  error: Error,
  code: number | string | undefined,
  what: string,
): PermanentStoreError | undefined {
  // gRPC errors read "3 INVALID_ARGUMENT: <details>"; the details are Firestore's own words.
  const says = `"${(error as { details?: string }).details || error.message}"`;
  if (code === INVALID_ARGUMENT && TOO_BIG.test(error.message)) {
    return new PermanentStoreError(
      'too-large',
      `${what}: Firestore refused the document as too big (INVALID_ARGUMENT: ${says}). A document holds at most 1 MiB, so retrying can never store it: the message takes the dead-letter path with this reason. Items are meant to stay well below the limit, so report it with the id.`,
      { cause: error },
    );
  }
  if (code === INVALID_ARGUMENT) {
    return new PermanentStoreError(
      'invalid',
      `${what}: Firestore rejected the request as invalid (INVALID_ARGUMENT: ${says}). Retrying cannot change that; the document id or a field breaks one of Firestore's rules.`,
      { cause: error },
    );
  }
  if (code === NOT_FOUND) {
    return new PermanentStoreError(
      'missing',
      `${what}: Firestore answered NOT_FOUND (${says}): the database (or the document this write needs) does not exist. Provisioning creates the database (\`tricloud stack up\` locally, Terraform in infra/gcp for Google Cloud); otherwise fix the project (GOOGLE_CLOUD_PROJECT).`,
      { cause: error },
    );
  }
  if (code === PERMISSION_DENIED || code === UNAUTHENTICATED) {
    const name = code === PERMISSION_DENIED ? 'PERMISSION_DENIED' : 'UNAUTHENTICATED';
    return new PermanentStoreError(
      'forbidden',
      `${what}: Firestore refused access (${name}: ${says}). Give the function's service account its Firestore role (the custom roles of infra/gcp/iam.tf) or fix the Google credentials.`,
      { cause: error },
    );
  }
  return undefined;
}
