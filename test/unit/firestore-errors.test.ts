/**
 * Firestore's failures at the edge (`shared/clouds/gcp/firestore-errors.ts`): gRPC status errors, shaped as
 * grpc-js throws them (the code, the server's details, and a message "<code> <NAME>: <details>"), come out as the
 * core's errors — a permanent refusal as `PermanentStoreError` with its reason and a message that quotes Firestore
 * and says what to do — and anything else passes through unchanged.
 */
import { GrpcStatus } from '@google-cloud/firestore';
import { describe, expect, it } from 'vitest';
import { translateGcpError } from '../../shared/clouds/gcp/firestore-errors.ts';
import { ConflictError, ThrottledError, UnavailableError } from '../../shared/core/index.ts';
import { expectPermanent, what } from '../helpers/store-errors.ts';

const translate = (error: unknown) => translateGcpError(error, what);

/** What grpc-js throws for a failed call: an Error with the status code and the server's details. */
function grpcError(code: GrpcStatus, details: string) {
  return Object.assign(new Error(`${code} ${GrpcStatus[code]}: ${details}`), { code, details, metadata: {} });
}

describe('Firestore errors', () => {
  it('name a document over the size limit too-large, in real Firestore’s words and the emulator’s', () => {
    const real = grpcError(
      GrpcStatus.INVALID_ARGUMENT,
      "Document 'projects/p/databases/(default)/documents/a/b' cannot be written because its size (1,234,567 bytes) exceeds the maximum allowed size of 1,048,576 bytes.",
    );
    expectPermanent(translate(real), 'too-large', /exceeds the maximum allowed size/, /1 MiB/);
    const emulator = grpcError(
      GrpcStatus.INVALID_ARGUMENT,
      'The value of property "body" is longer than 1048487 bytes.',
    );
    expectPermanent(translate(emulator), 'too-large');
  });

  it('name any other invalid argument invalid', () => {
    const error = grpcError(
      GrpcStatus.INVALID_ARGUMENT,
      'Resource id "__x__" is invalid because it is reserved.',
    );
    expectPermanent(translate(error), 'invalid', /"Resource id "__x__" is invalid/);
  });

  it('name NOT_FOUND missing and say provisioning creates the database', () => {
    const error = grpcError(GrpcStatus.NOT_FOUND, 'The database (default) does not exist for project p');
    expectPermanent(translate(error), 'missing', /does not exist for project p/, /Terraform in infra\/gcp/);
  });

  it.each([GrpcStatus.PERMISSION_DENIED, GrpcStatus.UNAUTHENTICATED])('name status %i forbidden', (code) => {
    expectPermanent(
      translate(grpcError(code, 'Missing or insufficient permissions.')),
      'forbidden',
      /iam\.tf/,
    );
  });

  it('map a failed precondition, an existing document and an aborted transaction to a conflict', () => {
    for (const code of [GrpcStatus.FAILED_PRECONDITION, GrpcStatus.ALREADY_EXISTS, GrpcStatus.ABORTED]) {
      expect(translate(grpcError(code, 'the stored version differs'))).toBeInstanceOf(ConflictError);
    }
  });

  it('map RESOURCE_EXHAUSTED to throttled', () => {
    expect(translate(grpcError(GrpcStatus.RESOURCE_EXHAUSTED, 'quota'))).toBeInstanceOf(ThrottledError);
  });

  it('map UNAVAILABLE, DEADLINE_EXCEEDED and INTERNAL to unavailable', () => {
    for (const code of [GrpcStatus.UNAVAILABLE, GrpcStatus.DEADLINE_EXCEEDED, GrpcStatus.INTERNAL]) {
      expect(translate(grpcError(code, 'try again'))).toBeInstanceOf(UnavailableError);
    }
  });

  it('map an unreachable emulator, as the client reports it after its own retries, to unavailable', () => {
    // What `get()` threw after 47 s against a refusing 127.0.0.1:9: gRPC's UNAVAILABLE, with the socket error only
    // in the text — too slow for a unit test to provoke, so its shape is kept here.
    const refused = grpcError(
      GrpcStatus.UNAVAILABLE,
      'No connection established. Last error: Error: connect ECONNREFUSED 127.0.0.1:9. Resolution note: ',
    );
    const translated = translate(refused);
    expect(translated).toBeInstanceOf(UnavailableError);
    expect((translated as Error).message).toMatch(/ECONNREFUSED 127\.0\.0\.1:9/);
    expect((translated as Error).cause).toBe(refused);
  });

  it('map a network error that comes without a gRPC status (a credentials fetch, for one) to unavailable', () => {
    for (const code of ['ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH']) {
      expect(translate(Object.assign(new Error(code), { code }))).toBeInstanceOf(UnavailableError);
    }
  });

  it('pass anything else through unchanged', () => {
    for (const code of [GrpcStatus.CANCELLED, GrpcStatus.UNKNOWN, GrpcStatus.UNIMPLEMENTED]) {
      const error = grpcError(code, 'not ours to decide');
      expect(translate(error)).toBe(error);
    }
    const other = new TypeError('Value for argument "data" is not a valid Firestore document.');
    expect(translate(other)).toBe(other);
    expect(translate(undefined)).toBeUndefined();
  });
});
