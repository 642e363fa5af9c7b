/**
 * The change order in a sharded index (`shared/clouds/sharded-changes.ts`, DynamoDB's changes GSI): the string key
 * sorts as `(updatedAt, id)` does, every id has one stable shard, and pages merged from the shards' pages are, page
 * after page, exactly the store's change order — nothing skipped, nothing twice, however the shards fill.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { changeKey, mergeShardPages, shardOf } from '../../shared/clouds/sharded-changes.ts';
import { type ChangeCursor, compareChanges, type SliceDocument } from '../../shared/core/index.ts';

/** Only what the change order reads of a slice. */
const doc = (updatedAt: number, id: string) => ({ updatedAt, id }) as SliceDocument;
const places = (docs: readonly SliceDocument[]) => docs.map((d) => `${d.updatedAt}/${d.id}`);

/**
 * What DynamoDB answers to one shard's `Query` of `changeKey > after` with `Limit`: that shard's next documents
 * in key order, and whether it stopped at the limit (`LastEvaluatedKey`).
 */
function queryShard(
  docs: readonly SliceDocument[],
  shards: number,
  shard: number,
  after: string,
  limit: number,
) {
  const matching = docs
    .filter((d) => shardOf(d.id, shards) === shard && changeKey(d.updatedAt, d.id) > after)
    .sort((a, b) => (changeKey(a.updatedAt, a.id) < changeKey(b.updatedAt, b.id) ? -1 : 1));
  return { documents: matching.slice(0, limit), more: matching.length > limit };
}

/** Every page of the store's changes, as `DynamoStore.changes` lists them, from the start. */
function allPages(docs: readonly SliceDocument[], shards: number, limit: number): SliceDocument[][] {
  const pages: SliceDocument[][] = [];
  let since: ChangeCursor | undefined = { updatedAt: Number.NEGATIVE_INFINITY, id: '' };
  // Each page holds at least one document, so this many pages is more than enough unless paging stalls.
  for (let guard = 0; since && guard <= docs.length + 1; guard++) {
    const after = changeKey(since.updatedAt, since.id);
    const shardPages = Array.from({ length: shards }, (_, s) => queryShard(docs, shards, s, after, limit));
    const page = mergeShardPages(shardPages, limit);
    pages.push(page.documents);
    since = page.next;
  }
  if (since) throw new Error(`paging did not end after ${pages.length} pages`);
  return pages;
}

describe('the change key', () => {
  it('sorts as the change order for epoch-ms times, ties broken by id', () => {
    const docs = [
      doc(1_700_000_000_001, 'a'),
      doc(1_700_000_000_000, 'b'),
      doc(1_700_000_000_000, 'a|x'),
      doc(5, 'z'),
    ];
    const byKey = [...docs].sort((a, b) =>
      changeKey(a.updatedAt, a.id) < changeKey(b.updatedAt, b.id) ? -1 : 1,
    );
    expect(places(byKey)).toEqual(places([...docs].sort(compareChanges)));
  });

  it('reads "from the beginning" for times no store holds (before 0, not finite)', () => {
    expect(changeKey(Number.NEGATIVE_INFINITY, '')).toBe('0000000000000000|');
    expect(changeKey(-5, 'a')).toBe('0000000000000000|a');
    expect(changeKey(Number.NaN, 'a')).toBe('0000000000000000|a');
    expect(changeKey(1_700_000_000_000.7, 'a')).toBe('0001700000000000|a');
  });
});

describe('the shard of an id', () => {
  it('is FNV-1a 32 of the id modulo the shards: the same in every process and language', () => {
    // FNV-1a's published test vectors: a stored item never moves shard.
    expect(shardOf('', 2 ** 32)).toBe(0x811c9dc5);
    expect(shardOf('a', 2 ** 32)).toBe(0xe40c292c);
    expect(shardOf('a', 4)).toBe(0xe40c292c % 4);
    for (const id of ['b', 'BTCUSDT|1m|1700000000000|3', 'S|1m|0|0']) {
      expect(shardOf(id, 4)).toBeGreaterThanOrEqual(0);
      expect(shardOf(id, 4)).toBeLessThan(4);
    }
  });
});

describe('merging shard pages', () => {
  it('is the whole sorted union, with no next, when no shard has more', () => {
    const page = mergeShardPages(
      [
        { documents: [doc(1, 'a'), doc(3, 'c')], more: false },
        { documents: [doc(2, 'b')], more: false },
        { documents: [], more: false },
      ],
      10,
    );
    expect(places(page.documents)).toEqual(['1/a', '2/b', '3/c']);
    expect(page.next).toBeUndefined();
  });

  it('stops at the earliest last document of a shard that has more, and continues after it', () => {
    // Shard 0 stopped at 2/b: its unread documents sort after 2/b, possibly before 3/c, so 3/c must wait.
    const page = mergeShardPages(
      [
        { documents: [doc(1, 'a'), doc(2, 'b')], more: true },
        { documents: [doc(1, 'z'), doc(3, 'c')], more: false },
      ],
      10,
    );
    expect(places(page.documents)).toEqual(['1/a', '1/z', '2/b']);
    expect(page.next).toEqual({ updatedAt: 2, id: 'b' });
  });

  it('cuts at the limit and says where to go on', () => {
    const page = mergeShardPages(
      [
        { documents: [doc(1, 'a'), doc(3, 'c')], more: false },
        { documents: [doc(2, 'b'), doc(4, 'd')], more: false },
      ],
      3,
    );
    expect(places(page.documents)).toEqual(['1/a', '2/b', '3/c']);
    expect(page.next).toEqual({ updatedAt: 3, id: 'c' });
  });

  it('pages through the store in exactly the change order, whatever the shards, ties and page size', () => {
    const arbDocs = fc.uniqueArray(
      fc.record({ updatedAt: fc.integer({ min: 0, max: 6 }), id: fc.string({ minLength: 1, maxLength: 4 }) }),
      { selector: (d) => d.id, maxLength: 60 },
    );
    fc.assert(
      fc.property(
        arbDocs,
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 12 }),
        (raw, shards, limit) => {
          const docs = raw.map((d) => doc(d.updatedAt, d.id));
          const pages = allPages(docs, shards, limit);
          for (const page of pages) expect(page.length).toBeLessThanOrEqual(limit);
          for (const page of pages.slice(0, -1)) expect(page.length).toBeGreaterThan(0);
          expect(places(pages.flat())).toEqual(places([...docs].sort(compareChanges)));
        },
      ),
    );
  });
});
