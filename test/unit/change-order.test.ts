/**
 * The change order and the pages cut from it (`shared/core/change-order.ts`): `(updatedAt, id)`, and where the next
 * page of changes or of windows starts — the rules every store and the sync share.
 */
import { describe, expect, it } from 'vitest';
import {
  changePage,
  compareChanges,
  isAfter,
  type SliceDocument,
  type WindowDocument,
  windowPage,
} from '../../shared/core/index.ts';

const slice = (updatedAt: number, id: string) => ({ updatedAt, id }) as SliceDocument;
const windowAt = (start: number) => ({ start }) as WindowDocument;

describe('the change order', () => {
  it('orders by updatedAt, then by id', () => {
    expect(compareChanges({ updatedAt: 1, id: 'z' }, { updatedAt: 2, id: 'a' })).toBeLessThan(0);
    expect(compareChanges({ updatedAt: 2, id: 'a' }, { updatedAt: 1, id: 'z' })).toBeGreaterThan(0);
    expect(compareChanges({ updatedAt: 2, id: 'a' }, { updatedAt: 2, id: 'b' })).toBeLessThan(0);
    expect(compareChanges({ updatedAt: 2, id: 'b' }, { updatedAt: 2, id: 'b' })).toBe(0);
  });

  it('puts the start cursor (−∞, "") before every document', () => {
    const start = { updatedAt: Number.NEGATIVE_INFINITY, id: '' };
    expect(isAfter({ updatedAt: 0, id: '' }, start)).toBe(true);
    expect(isAfter({ updatedAt: -1e300, id: 'a' }, start)).toBe(true);
    expect(isAfter(start, start)).toBe(false);
  });

  it('says after only strictly after, so a page resumes past its cursor', () => {
    expect(isAfter({ updatedAt: 5, id: 'b' }, { updatedAt: 5, id: 'a' })).toBe(true);
    expect(isAfter({ updatedAt: 5, id: 'a' }, { updatedAt: 5, id: 'a' })).toBe(false);
    expect(isAfter({ updatedAt: 4, id: 'z' }, { updatedAt: 5, id: 'a' })).toBe(false);
  });

  it('sorts documents as Array.prototype.sort takes it', () => {
    const docs = [slice(2, 'a'), slice(1, 'b'), slice(2, '0'), slice(1, 'a')];
    expect(docs.sort(compareChanges).map((d) => `${d.updatedAt}/${d.id}`)).toEqual([
      '1/a',
      '1/b',
      '2/0',
      '2/a',
    ]);
  });
});

describe('a page of changes', () => {
  it('continues from its last document when more may follow', () => {
    const page = changePage([slice(1, 'a'), slice(3, 'c')], true);
    expect(page.next).toEqual({ updatedAt: 3, id: 'c' });
    expect(page.documents).toHaveLength(2);
  });

  it('is the end when nothing more follows, or when it is empty', () => {
    expect(changePage([slice(1, 'a')], false)).toEqual({ documents: [slice(1, 'a')] });
    expect(changePage([], true)).toEqual({ documents: [] });
  });
});

describe('a page of windows', () => {
  it('continues just after the last window’s start when more may follow', () => {
    expect(windowPage([windowAt(60_000), windowAt(120_000)], true).next).toBe(120_001);
  });

  it('is the end when nothing more follows, or when it is empty', () => {
    expect(windowPage([windowAt(60_000)], false).next).toBeUndefined();
    expect(windowPage([], true)).toEqual({ windows: [] });
  });
});
