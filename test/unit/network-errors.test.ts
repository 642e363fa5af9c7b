/**
 * The network failures that mean "unavailable" (`shared/clouds/network-errors.ts`): one list for the three
 * clouds, found on the error, its cause or an AggregateError's errors, and read the same by every translator.
 */
import { describe, expect, it } from 'vitest';
import { translateAwsError } from '../../shared/clouds/aws/dynamo-errors.ts';
import { translateAzureError } from '../../shared/clouds/azure/cosmos-errors.ts';
import { translateGcpError } from '../../shared/clouds/gcp/firestore-errors.ts';
import { NETWORK_ERROR_CODES, networkErrorCode } from '../../shared/clouds/network-errors.ts';
import { UnavailableError } from '../../shared/core/index.ts';
import { what } from '../helpers/store-errors.ts';

describe('network errors', () => {
  it('are one list that all three translators read as unavailable', () => {
    for (const code of NETWORK_ERROR_CODES) {
      const error = Object.assign(new Error(code), { code });
      expect(translateAwsError(error, what)).toBeInstanceOf(UnavailableError);
      expect(translateGcpError(error, what)).toBeInstanceOf(UnavailableError);
      expect(translateAzureError(error, what)).toBeInstanceOf(UnavailableError);
    }
  });

  it('are found on the error, its cause, or one of an AggregateError’s errors', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    expect(networkErrorCode(refused)).toBe('ECONNREFUSED');
    expect(networkErrorCode(new Error('fetch failed', { cause: refused }))).toBe('ECONNREFUSED');
    expect(networkErrorCode(new AggregateError([new Error('x'), refused]))).toBe('ECONNREFUSED');
  });

  it('include an SDK’s request timeout, by code (Cosmos DB) or by name (AWS)', () => {
    expect(networkErrorCode(Object.assign(new Error('Timeout Error!'), { code: 'TimeoutError' }))).toBe(
      'TimeoutError',
    );
    expect(networkErrorCode(Object.assign(new Error('timed out'), { name: 'TimeoutError' }))).toBe(
      'TimeoutError',
    );
  });

  it('are not found in anything else, nor deeper than a few causes', () => {
    expect(networkErrorCode(new Error('not a network error'))).toBeUndefined();
    expect(networkErrorCode(Object.assign(new Error('no'), { code: 'ENOENT' }))).toBeUndefined();
    expect(networkErrorCode('ECONNREFUSED')).toBeUndefined();
    let deep: Error = Object.assign(new Error('refused'), { code: 'ECONNREFUSED' });
    for (let i = 0; i < 5; i++) deep = new Error('wrapped', { cause: deep });
    expect(networkErrorCode(deep)).toBeUndefined();
  });
});
