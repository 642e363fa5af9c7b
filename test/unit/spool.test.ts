import { appendFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Spool } from '../../producers/spool.ts';

const message = (key: string, body: string) => ({ cloud: 'aws' as const, key, records: 1, body });

describe('the producer spool', () => {
  it('gives back, after a restart, the committed messages not acknowledged, on the cloud they were moved to', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'spool-'));
    const first = await Spool.open(dir);
    expect(first.checkpoint).toBeUndefined();
    const entries = await first.spool.commit(
      [message('A', '{"x":1}'), message('B', '{"x":2}'), message('C', '{"x":3}')],
      {
        position: '3',
        rejectsBytes: 0,
      },
    );
    await first.spool.acknowledge([entries[0]!.id]);
    await first.spool.move([entries[2]!], 'gcp');
    // A chunk torn by a crash: messages without their checkpoint line.
    await first.spool.close();
    await appendFile(path.join(dir, 'journal.log'), 'm\t77\taws\tD\t1\t{"x":4}\nm\t78\taws\tD\t1\t{"x"');

    const second = await Spool.open(dir);
    expect(second.checkpoint).toEqual({ position: '3', rejectsBytes: 0 });
    expect(second.pending.map((e) => [e.key, e.cloud, e.replayed])).toEqual([
      ['B', 'aws', true],
      ['C', 'gcp', true],
    ]);
    expect(await second.spool.body(second.pending[1]!)).toBe('{"x":3}');
    // Every committed message, accepted or not (the producer rebuilds its seen records from them); not the torn ones.
    expect(second.committed.map((e) => e.key)).toEqual(['A', 'B', 'C']);
    expect(second.summary).toBeUndefined();
    // New ids never reuse a spooled one.
    const more = await second.spool.commit([message('E', '{"x":5}')], { position: '4', rejectsBytes: 0 });
    expect(more[0]!.id).toBeGreaterThan(entries[2]!.id);
    await second.spool.compact({ position: '4', rejectsBytes: 0 }, '{"A":[1,5]}');
    await second.spool.close();
    const third = await Spool.open(dir);
    expect(third.pending).toEqual([]);
    expect(third.committed).toEqual([]);
    // Compaction keeps the caller's summary of what it removed, and the next one replaces it.
    expect(third.summary).toBe('{"A":[1,5]}');
    expect(third.checkpoint).toEqual({ position: '4', rejectsBytes: 0 });
    await third.spool.commit([message('F', '{"x":6}')], { position: '5', rejectsBytes: 0 });
    await third.spool.compact({ position: '5', rejectsBytes: 0 }, '{"A":[1,6]}');
    await third.spool.close();
    const fourth = await Spool.open(dir);
    expect(fourth.summary).toBe('{"A":[1,6]}');
    expect(fourth.checkpoint).toEqual({ position: '5', rejectsBytes: 0 });
    await fourth.spool.close();
  });

  it('compacts while messages are pending: it keeps them, with their ids and readable bodies, and drops the rest', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'spool-'));
    const first = await Spool.open(dir);
    const entries = await first.spool.commit(
      [message('A', '{"x":1}'), message('B', '{"x":2}'), message('C', '{"x":3}'), message('D', '{"x":4}')],
      { position: '4', rejectsBytes: 0 },
    );
    await first.spool.acknowledge([entries[0]!.id, entries[2]!.id]);
    // D's body was dropped from memory: the compaction reads it from the old journal.
    delete entries[3]!.body;
    const before = first.spool.size;
    await first.spool.compact({ position: '4', rejectsBytes: 0 }, '{"A":[1,1],"C":[3,3]}', () => [
      entries[1]!,
      entries[3]!,
    ]);
    expect(first.spool.size).toBeLessThan(before);
    expect(await first.spool.body(entries[3]!)).toBe('{"x":4}');
    await first.spool.acknowledge([entries[1]!.id]);
    await first.spool.close();

    const second = await Spool.open(dir);
    expect(second.summary).toBe('{"A":[1,1],"C":[3,3]}');
    expect(second.checkpoint).toEqual({ position: '4', rejectsBytes: 0 });
    expect(second.pending.map((e) => [e.id, e.key])).toEqual([[entries[3]!.id, 'D']]);
    expect(await second.spool.body(second.pending[0]!)).toBe('{"x":4}');
    const more = await second.spool.commit([message('E', '{"x":5}')], { position: '5', rejectsBytes: 0 });
    expect(more[0]!.id).toBeGreaterThan(entries[3]!.id);
    await second.spool.close();
  });
});
