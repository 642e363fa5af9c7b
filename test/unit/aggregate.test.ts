import { describe, expect, it } from 'vitest';
import { aggregateOf, combineAggregates, exportAggregate } from '../../shared/core/index.ts';
import { record } from '../helpers/records.ts';

describe('aggregate', () => {
  it('of one record is that record', () => {
    const agg = aggregateOf([record({ value: 7, qty: 2 })]);
    expect(exportAggregate('S', '1m', 0, agg)).toEqual({
      series: 'S',
      window: '1m',
      start: 0,
      open: 7,
      high: 7,
      low: 7,
      close: 7,
      volume: 2,
      vwap: 7,
      count: 1,
    });
  });

  it('breaks equal timestamps by seq for open and close', () => {
    const agg = aggregateOf([
      record({ seq: 9, value: 3 }),
      record({ seq: 2, value: 1 }),
      record({ seq: 5, value: 2 }),
    ]);
    expect([agg.open, agg.close]).toEqual([1, 3]);
  });

  it('reports vwap null, never NaN, when all qty are zero', () => {
    const agg = aggregateOf([record({ qty: 0, value: 5 }), record({ seq: 2, qty: 0, value: 6 })]);
    const out = exportAggregate('S', '1m', 0, agg);
    expect(out.vwap).toBeNull();
    expect(out.volume).toBe(0);
    expect(out.count).toBe(2);
  });

  it('sums exactly, whatever the order and grouping', () => {
    const values = [0.1, 0.2, 0.3, 1e16, -1e16, 3.3];
    const rs = values.map((qty, i) => record({ seq: i, qty, value: 1 }));
    const forward = aggregateOf(rs);
    const split = combineAggregates(aggregateOf(rs.slice(3).reverse()), aggregateOf(rs.slice(0, 3)));
    expect(split).toEqual(forward);
    // 0.1 + 0.2 + 0.3 + 3.3, exactly rounded once; naive left-to-right addition gives 3.3 here.
    expect(exportAggregate('S', '1m', 0, forward).volume).toBe(3.9);
  });

  it('combining with the empty aggregate is the identity', () => {
    const agg = aggregateOf([record()]);
    expect(combineAggregates(aggregateOf([]), agg)).toEqual(agg);
    expect(combineAggregates(agg, aggregateOf([]))).toEqual(agg);
  });
});
