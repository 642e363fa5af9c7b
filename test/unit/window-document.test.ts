import { describe, expect, it } from 'vitest';
import {
  aggregateOf,
  mergeParts,
  mergeRemoteParts,
  type Part,
  windowId,
  withParts,
} from '../../shared/core/index.ts';
import { seqSetOf } from '../../shared/core/seq-set.ts';
import { record } from '../helpers/records.ts';

function part(seqs: number[], revision = 1): Part {
  return {
    aggregate: aggregateOf(seqs.map((seq) => record({ seq, value: seq }))),
    seqs: seqSetOf(seqs),
    revision,
  };
}

const key = { series: 'BTCUSDT', window: '1m', start: 0, slice: 0 };

describe('mergeParts', () => {
  it('combines disjoint parts', () => {
    const view = mergeParts({ aws: part([1, 2]), gcp: part([3]) });
    expect(view).toMatchObject({ exact: true, origins: ['aws', 'gcp'] });
    expect(view.aggregate.count).toBe(3);
  });

  it('skips a part contained in what is taken', () => {
    const view = mergeParts({ aws: part([1, 2]), gcp: part([1, 2, 3]), azure: part([3]) });
    expect(view).toMatchObject({ exact: true, origins: ['gcp'] });
    expect(view.aggregate.count).toBe(3);
  });

  it('keeps the larger part of a partial overlap and marks the view inexact', () => {
    const view = mergeParts({ aws: part([1, 2]), gcp: part([2, 3, 4]) });
    expect(view).toMatchObject({ exact: false, origins: ['gcp'] });
  });

  it('breaks ties by origin order, whatever the key order of the parts', () => {
    const a = mergeParts({ azure: part([1, 2]), aws: part([2, 3]) });
    const b = mergeParts({ aws: part([2, 3]), azure: part([1, 2]) });
    expect(a).toEqual(b);
    expect(a.origins).toEqual(['aws']);
  });
});

describe('documents', () => {
  it('ids survive every store: no / \\ ? #', () => {
    expect(windowId({ series: 'a.b:c_d-E9', window: '5m', start: 300_000 })).toBe('a.b:c_d-E9|5m|300000');
  });

  it('take the higher revision per origin from a replica, and nothing when it brings nothing new', () => {
    const local = withParts(key, undefined, { aws: part([1], 2), gcp: part([5], 1) }, 10);
    const remote = withParts(
      key,
      undefined,
      { aws: part([1], 1), gcp: part([5, 6], 2), azure: part([9], 1) },
      20,
    );
    const merged = mergeRemoteParts(local, remote, 30)!;
    expect(merged.parts.aws?.revision).toBe(2);
    expect(merged.parts.gcp?.revision).toBe(2);
    expect(merged.parts.azure?.revision).toBe(1);
    expect(merged.revision).toBe(local.revision + 1);
    expect(mergeRemoteParts(merged, remote, 40)).toBeUndefined();
  });

  it('never move updatedAt backwards, even when the writer clock is behind', () => {
    const first = withParts(key, undefined, {}, 1_000);
    expect(withParts(key, first, {}, 500).updatedAt).toBe(1_001);
  });
});
