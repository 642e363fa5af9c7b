/**
 * Remembers, per document, the store's own version token (a Firestore update time, a Cosmos ETag) for the revision
 * last read, so a conditional write "on revision N" becomes the store's native precondition without another read.
 *
 * Firestore and Cosmos can only make a write conditional on their own version token, not on a field's value;
 * ingest reads every document before writing it, so the token is almost always here. When it is not (evicted, or
 * another revision was read), the adapter reads the document once more to learn it.
 */
export class VersionTokens<Token> {
  readonly #tokens = new Map<string, { revision: number; token: Token }>();
  readonly #capacity: number;

  constructor(capacity = 20_000) {
    this.#capacity = capacity;
  }

  remember(id: string, revision: number, token: Token): void {
    // Re-inserting moves the id to the end, so eviction drops the least recently used first.
    this.#tokens.delete(id);
    this.#tokens.set(id, { revision, token });
    if (this.#tokens.size > this.#capacity) {
      const oldest = this.#tokens.keys().next().value;
      if (oldest !== undefined) this.#tokens.delete(oldest);
    }
  }

  /** The token of `revision` of the document, if that is the revision last seen. */
  tokenFor(id: string, revision: number): Token | undefined {
    const entry = this.#tokens.get(id);
    return entry && entry.revision === revision ? entry.token : undefined;
  }

  forget(id: string): void {
    this.#tokens.delete(id);
  }
}
