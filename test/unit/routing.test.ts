import { describe, expect, it } from 'vitest';
import { classifyFailure, describeFailure } from '../../producers/failures.ts';
import { CloudPacking } from '../../producers/packing.ts';
import { homeCloud, routeSeries } from '../../producers/routing.ts';
import { syntheticRecords } from '../../producers/sources/synthetic.ts';
import { decodeMessage, type Origin } from '../../shared/core/index.ts';

describe('routing', () => {
  const series = Array.from({ length: 60 }, (_, i) => `S${i}`);

  it('partition sends each series to its stable home, and spreads series over the clouds', () => {
    const homes = series.map((s) => routeSeries(s, 'partition'));
    expect(homes.every((h) => h.length === 1)).toBe(true);
    expect(new Set(homes.map((h) => h[0])).size).toBe(3);
    expect(series.map((s) => routeSeries(s, 'partition')[0])).toEqual(series.map((s) => homeCloud(s)));
  });

  it('failover skips unhealthy clouds in fixed order, and falls back to home when none is healthy', () => {
    const down = new Set<Origin>(['aws']);
    for (const s of series) {
      const home = homeCloud(s);
      const [to] = routeSeries(s, 'failover', undefined, (c) => !down.has(c));
      expect(to).toBe(home === 'aws' ? 'gcp' : home);
      expect(routeSeries(s, 'failover', undefined, () => false)).toEqual([home]);
    }
  });

  it('mirror sends to every cloud', () => {
    expect(routeSeries('A', 'mirror', ['aws', 'azure'])).toEqual(['aws', 'azure']);
  });
});

describe('packing per cloud and series', () => {
  it('packs one series per message, counts records, and loses none', () => {
    const next = syntheticRecords({ seed: 3, series: 4 });
    const records = Array.from({ length: 2_000 }, next);
    let n = 0;
    const packing = new CloudPacking(300, () => `b${n++}`);
    for (const r of records) packing.add('aws', r);
    const messages = packing.drain();
    expect(packing.drain()).toEqual([]);
    let rows = 0;
    for (const m of messages) {
      const decoded = decodeMessage(m.body);
      if (!decoded.ok) throw new Error(decoded.reason);
      expect(decoded.rows.length).toBe(m.records);
      expect(decoded.rows.every((r) => (r as unknown[])[0] === m.key)).toBe(true);
      expect(m.records).toBeLessThanOrEqual(300);
      rows += m.records;
    }
    expect(rows).toBe(2_000);
    expect(messages.length).toBe(4 * Math.ceil(500 / 300));
  });
});

describe('failure classes', () => {
  it('counts only failures that provably never reached the service as definite', () => {
    expect(
      classifyFailure(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' })),
    ).toBe('definite');
    expect(classifyFailure({ name: 'QueueDoesNotExist', $metadata: { httpStatusCode: 400 } })).toBe(
      'ambiguous',
    );
    expect(classifyFailure({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } })).toBe('definite');
    expect(classifyFailure(new Error('x', { cause: { code: 'ENOTFOUND' } }))).toBe('definite');
    expect(classifyFailure(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))).toBe(
      'ambiguous',
    );
    expect(classifyFailure({ code: 14, message: '14 UNAVAILABLE: No connection established' })).toBe(
      'ambiguous',
    );
    expect(classifyFailure(new Error('the transport did not answer within 30 s'))).toBe('ambiguous');
  });

  it('says in one line why a publish failed, also when the error is an aggregate without a message', () => {
    const refused = () =>
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    expect(describeFailure(new AggregateError([refused(), refused()], ''))).toBe(
      'connect ECONNREFUSED 127.0.0.1:1 (and 1 more)',
    );
    expect(describeFailure(new Error('first line\nstack'))).toBe('first line');
    expect(describeFailure('plain')).toBe('plain');
  });
});

describe('synthetic records', () => {
  it('are the same for the same seed, and meters are readings a second apart', () => {
    const a = syntheticRecords({ seed: 7, series: 2 });
    const b = syntheticRecords({ seed: 7, series: 2 });
    const xs = Array.from({ length: 50 }, a);
    expect(Array.from({ length: 50 }, b)).toEqual(xs);
    const meters = syntheticRecords({ seed: 7, series: 2, kind: 'meters' });
    const [m0, , m2] = [meters(), meters(), meters()];
    expect(m0!.series).toBe('meter-000');
    expect(m2!.ts - m0!.ts).toBe(1_000);
    expect(m2!.seq).toBe(1);
  });
});
