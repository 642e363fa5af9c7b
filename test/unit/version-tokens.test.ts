/**
 * Version tokens (`shared/clouds/version-tokens.ts`): the store's own token of the revision last read, so a write
 * conditional on that revision needs no second read — and never a token of another revision, which would let a
 * write through that should conflict.
 */
import { describe, expect, it } from 'vitest';
import { VersionTokens } from '../../shared/clouds/version-tokens.ts';

describe('version tokens', () => {
  it('give the token of the revision last read, and nothing for another revision', () => {
    const tokens = new VersionTokens<string>();
    tokens.remember('doc', 3, 'etag-3');
    expect(tokens.tokenFor('doc', 3)).toBe('etag-3');
    expect(tokens.tokenFor('doc', 2)).toBeUndefined();
    expect(tokens.tokenFor('doc', 4)).toBeUndefined();
    expect(tokens.tokenFor('other', 3)).toBeUndefined();
  });

  it('keep only the latest revision read of a document', () => {
    const tokens = new VersionTokens<string>();
    tokens.remember('doc', 3, 'etag-3');
    tokens.remember('doc', 4, 'etag-4');
    expect(tokens.tokenFor('doc', 3)).toBeUndefined();
    expect(tokens.tokenFor('doc', 4)).toBe('etag-4');
  });

  it('forget a document once written, since the write’s own token is not known', () => {
    const tokens = new VersionTokens<string>();
    tokens.remember('doc', 3, 'etag-3');
    tokens.forget('doc');
    expect(tokens.tokenFor('doc', 3)).toBeUndefined();
  });

  it('hold at most their capacity, dropping the document read least recently', () => {
    const tokens = new VersionTokens<string>(2);
    tokens.remember('a', 1, 'a1');
    tokens.remember('b', 1, 'b1');
    // Reading `a` again makes `b` the least recently read.
    tokens.remember('a', 2, 'a2');
    tokens.remember('c', 1, 'c1');
    expect(tokens.tokenFor('b', 1)).toBeUndefined();
    expect(tokens.tokenFor('a', 2)).toBe('a2');
    expect(tokens.tokenFor('c', 1)).toBe('c1');
  });
});
