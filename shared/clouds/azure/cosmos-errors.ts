/**
 * Translates Cosmos DB's HTTP failures into the core's errors at the edge; everything else passes through.
 * A refusal that retrying cannot change (413, 400, 404, 401/403) becomes a {@link PermanentStoreError} whose
 * message quotes Cosmos DB and says what to do. A point read of a missing item never gets here: the SDK answers
 * it with an undefined resource instead of throwing, so only writes and queries meet a 404 (a missing database or
 * container, or an item deleted under a replace).
 */
import { ConflictError, PermanentStoreError, ThrottledError, UnavailableError } from '../../core/index.ts';
import { networkErrorCode } from '../network-errors.ts';

/** Sub-statuses that make a 403 or 404 transient: a region's writes failing over, a session not yet replicated. */
const WRITE_FORBIDDEN = 3;
const READ_SESSION_NOT_AVAILABLE = 1002;

export function translateAzureError(error: unknown, what: string): unknown {
  if (!(error instanceof Error)) return error;
  const { code, statusCode, substatus } = error as {
    code?: unknown;
    statusCode?: number;
    substatus?: number;
  };
  const status = statusCode ?? code;
  if (status === 409 || status === 412) {
    return new ConflictError(`${what}: another writer changed the item first`, { cause: error });
  }
  if (status === 429) {
    return new ThrottledError(`${what}: throttled by Cosmos DB (429)`, {
      cause: error,
    });
  }
  const transient =
    (status === 403 && substatus === WRITE_FORBIDDEN) ||
    (status === 404 && substatus === READ_SESSION_NOT_AVAILABLE);
  const permanent = transient ? undefined : permanentAzureError(error, status, what);
  if (permanent) return permanent;
  const network = networkErrorCode(error);
  if ((typeof status === 'number' && status >= 500) || network || status === 408 || transient) {
    return new UnavailableError(`${what}: Cosmos DB is unavailable (${network ?? String(status)})`, {
      cause: error,
    });
  }
  return error;
}

function permanentAzureError(error: Error, status: unknown, what: string): PermanentStoreError | undefined {
  // The local server answers some refusals with an empty body; say so rather than quote nothing.
  const says = `${String(status)}${error.message ? `: "${error.message.slice(0, 300)}"` : ''}`;
  if (status === 413) {
    return new PermanentStoreError(
      'too-large',
      `${what}: Cosmos DB refused the item as too large (${says}). An item holds at most 2 MB, so retrying can never store it: the message takes the dead-letter path with this reason. Items are meant to stay well below the limit, so report it with the id.`,
      { cause: error },
    );
  }
  if (status === 400) {
    return new PermanentStoreError(
      'invalid',
      `${what}: Cosmos DB rejected the request as invalid (${says}). Retrying cannot change that; check that the container is partitioned by /id as infra/azure/cosmos.tf makes it.`,
      { cause: error },
    );
  }
  if (status === 404) {
    return new PermanentStoreError(
      'missing',
      `${what}: Cosmos DB answered Not Found (${says}): the database or container does not exist (or the item was deleted under this write). Provisioning creates them (\`tricloud stack up\` locally, Terraform in infra/azure for Azure); otherwise fix TRICLOUD_COSMOS_DATABASE and the container names.`,
      { cause: error },
    );
  }
  if (status === 401 || status === 403) {
    return new PermanentStoreError(
      'forbidden',
      `${what}: Cosmos DB refused access (${says}). Check that COSMOS_KEY is a key of the account at COSMOS_ENDPOINT (Terraform in infra/azure puts it in the key vault).`,
      { cause: error },
    );
  }
  return undefined;
}
