import { describe, expect, it } from 'vitest';
import {
  mergeParts,
  mergeRemoteParts,
  type Part,
  partOf,
  windowId,
  withParts,
} from '../../shared/core/index.ts';
import { record } from '../helpers/records.ts';

function part(seqs: number[], revision = 1, value = (seq: number) => seq): Part {
  return partOf(
    seqs.map((seq) => record({ seq, value: value(seq) })),
    revision,
  );
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

describe('conflicts', () => {
  it('marks parts with the same seqs and different records as a conflict, inexact, naming both origins', () => {
    const view = mergeParts({ aws: part([1, 2, 3]), gcp: part([1, 2, 3], 1, (seq) => seq + 0.5) });
    expect(view).toMatchObject({
      exact: false,
      conflict: 'aws and gcp hold the same 3 ids with different records',
    });
    expect(view.aggregate.count).toBe(3);
  });

  it('sees no conflict in equal parts, whatever order their records came in', () => {
    const a = partOf([3, 1, 2].map((seq) => record({ seq, value: seq })));
    const b = partOf([1, 2, 3].map((seq) => record({ seq, value: seq })));
    expect(mergeParts({ aws: a, gcp: b })).toMatchObject({ exact: true });
    expect(a.digest).toEqual(b.digest);
  });
});
