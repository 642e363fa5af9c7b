import { describe, expect, it } from 'vitest';
import { PermanentStoreError, parseWindows, syncInto, UnavailableError } from '../../shared/core/index.ts';
import { MemoryStore, SteppingClock } from '../../shared/core/testing/index.ts';
import { deliver, makeClouds } from '../helpers/clouds.ts';
import { eventually } from '../helpers/eventually.ts';
import { messagesOf, record, T0 } from '../helpers/records.ts';

async function gcpWith(documents: number) {
  const clouds = makeClouds(parseWindows('1m'));
  const records = Array.from({ length: documents }, (_, i) => record({ seq: i, ts: T0 + i * 60_000 }));
  await deliver(clouds.gcp, messagesOf(records, 50));
  return clouds.gcp;
}

async function sourceWith(documents: number) {
  return (await gcpWith(documents)).store;
}

describe('sync', () => {
  it('pulls every changed slice page by page, refreshes its windows, and advances the watermark', async () => {
    const source = await sourceWith(25);
    const target = new MemoryStore();
    const report = await syncInto(
      { target, sources: [{ origin: 'gcp', store: source }], clock: new SteppingClock() },
      { pageSize: 10 },
    );
    expect(report.sources[0]).toMatchObject({
      source: 'gcp',
      read: 25,
      merged: 25,
      written: 25,
      windowsWritten: 25,
      pages: 3,
      complete: true,
    });
    expect(target.count('slice')).toBe(25);
    expect(target.count('window')).toBe(25);
    expect(await target.readWatermark('gcp')).toEqual(report.sources[0]?.watermark);
  });

  it('records each run that read a source to its end, even when it found nothing new', async () => {
    const source = await sourceWith(3);
    const target = new MemoryStore();
    const clock = new SteppingClock();
    const empty = new MemoryStore();
    await syncInto({
      target,
      sources: [
        { origin: 'gcp', store: source },
        { origin: 'aws', store: empty },
      ],
      clock,
    });
    const first = await target.readWatermark('gcp');
    // An empty source is checked too: a position before every change, and the time of the run.
    expect(await target.readWatermark('aws')).toEqual({
      updatedAt: 0,
      id: '',
      checkedAt: expect.any(Number),
    });
    await clock.sleep(60_000);
    const again = await syncInto({ target, sources: [{ origin: 'gcp', store: source }], clock });
    expect(again.sources[0]).toMatchObject({ written: 0, complete: true });
    const second = await target.readWatermark('gcp');
    expect(second).toMatchObject({ updatedAt: first!.updatedAt, id: first!.id });
    expect(second!.checkedAt!).toBeGreaterThanOrEqual(first!.checkedAt! + 60_000);
  });

  it('reads only what changed since the watermark, plus the overlap', async () => {
    const source = await sourceWith(200);
    const target = new MemoryStore();
    const deps = { target, sources: [{ origin: 'gcp' as const, store: source }], clock: new SteppingClock() };
    await syncInto(deps, { overlapMs: 0 });
    const second = await syncInto(deps, { overlapMs: 0 });
    // With no overlap only the document at the watermark is read again, and nothing is written.
    expect(second.sources[0]).toMatchObject({ read: 1, written: 0 });
    const watermark = (await target.readWatermark('gcp'))!;
    const third = await syncInto(deps, { overlapMs: 20 });
    const slices = [...source.docs.values()].filter((d) => d.kind === 'slice');
    const inOverlap = slices.filter((d) => d.updatedAt >= watermark.updatedAt - 20).length;
    expect(inOverlap).toBeLessThan(slices.length);
    expect(third.sources[0]).toMatchObject({ read: inOverlap, written: 0 });
  });

  it('stops at its budget and the next run continues where it stopped', async () => {
    const source = await sourceWith(30);
    const target = new MemoryStore();
    // Each clock read advances 1 ms; a 5 ms budget runs out after a page or two.
    const deps = { target, sources: [{ origin: 'gcp' as const, store: source }], clock: new SteppingClock() };
    const first = await syncInto(deps, { pageSize: 5, budgetMs: 5, overlapMs: 0 });
    expect(first.sources[0]?.complete).toBe(false);
    let runs = 1;
    while (target.count('window') < 30 && runs < 50) {
      await syncInto(deps, { pageSize: 5, budgetMs: 5, overlapMs: 0 });
      runs++;
    }
    expect(target.count('window')).toBe(30);
    expect(runs).toBeGreaterThan(1);
  });

  it('reports a source that is down and still syncs the other', async () => {
    const gcp = await sourceWith(3);
    const azure = new MemoryStore();
    azure.down = true;
    const target = new MemoryStore();
    const report = await syncInto({
      target,
      sources: [
        { origin: 'azure', store: azure },
        { origin: 'gcp', store: gcp },
      ],
      clock: new SteppingClock(),
    });
    expect(report.sources[0]?.error).toMatch(/UnavailableError/);
    expect(report.sources[1]).toMatchObject({ read: 3, written: 3, complete: true });
  });

  it('pulls the sources at once: one that does not answer holds up no other', async () => {
    const gcp = await sourceWith(3);
    const azure = new MemoryStore();
    let answer = () => {};
    const answered = new Promise<void>((resolve) => {
      answer = resolve;
    });
    const listChanges = azure.changes.bind(azure);
    azure.changes = async (since, limit) => {
      await answered;
      return listChanges(since, limit);
    };
    const target = new MemoryStore();
    const run = syncInto({
      target,
      sources: [
        { origin: 'azure', store: azure },
        { origin: 'gcp', store: gcp },
      ],
      clock: new SteppingClock(),
    });
    // Azure, listed first, has not answered, and GCP's documents are already in the target.
    await eventually(
      async () => target.count('window'),
      (n) => n === 3,
      {
        what: "GCP's documents while Azure is silent",
        timeoutMs: 5_000,
        intervalMs: 1,
      },
    );
    answer();
    const report = await run;
    expect(report.sources.map((r) => [r.source, r.complete])).toEqual([
      ['azure', true],
      ['gcp', true],
    ]);
  });

  it('costs reads of changed documents only, however large the store', async () => {
    const gcp = await gcpWith(2_000);
    const target = new MemoryStore();
    const deps = {
      target,
      sources: [{ origin: 'gcp' as const, store: gcp.store }],
      clock: new SteppingClock(),
    };
    await syncInto(deps, { overlapMs: 0 });
    const changed = Array.from({ length: 10 }, (_, i) => record({ seq: 10_000 + i, ts: T0 + i * 60_000 }));
    await deliver(gcp, messagesOf(changed, 10));
    const before = gcp.store.counters.listed;
    const report = await syncInto(deps, { overlapMs: 0 });
    // The 10 changed documents, and the one at the watermark read again.
    expect(report.sources[0]).toMatchObject({ read: 11, written: 10 });
    expect(gcp.store.counters.listed - before).toBe(11);
  });
});

describe('sync past a slice the target refuses', () => {
  it('passes it over with its reason, moves the watermark on, and writes it on a later run', async () => {
    const source = await sourceWith(20);
    const target = new MemoryStore();
    const stuck = [...source.docs.values()].find((d) => d.kind === 'slice')!.id;
    target.refused.set(stuck, new PermanentStoreError('too-large', 'the item is over the limit'));
    const deps = { target, sources: [{ origin: 'gcp' as const, store: source }], clock: new SteppingClock() };
    const first = await syncInto(deps, { pageSize: 5 });
    expect(first.sources[0]).toMatchObject({ complete: true, written: 19 });
    expect(first.sources[0]?.error).toBeUndefined();
    expect(first.sources[0]?.skipped).toEqual([
      { id: stuck, reason: 'PermanentStoreError: the item is over the limit' },
    ]);
    const watermark = await target.readWatermark('gcp');
    expect(watermark?.retry).toEqual([stuck]);
    expect(target.count('window')).toBe(19);
    // Still refused: tried again, still listed, nothing else lost.
    const second = await syncInto(deps, { pageSize: 5 });
    expect(second.sources[0]?.skipped.map((s) => s.id)).toEqual([stuck]);
    target.refused.clear();
    const third = await syncInto(deps, { pageSize: 5, overlapMs: 0 });
    expect(third.sources[0]?.skipped).toEqual([]);
    expect((await target.readWatermark('gcp'))?.retry ?? []).toEqual([]);
    expect(target.count('window')).toBe(20);
  });

  it('stops at the page, without moving the watermark, while the target is down', async () => {
    const source = await sourceWith(10);
    const target = new MemoryStore();
    target.injectFailures(...Array.from({ length: 200 }, () => new UnavailableError('down')));
    const report = await syncInto(
      { target, sources: [{ origin: 'gcp', store: source }], clock: new SteppingClock() },
      { maxAttempts: 2, backoff: { baseMs: 1, maxMs: 1 } },
    );
    expect(report.sources[0]?.error).toMatch(/UnavailableError/);
    expect(report.sources[0]?.skipped).toEqual([]);
    expect(await target.readWatermark('gcp')).toBeUndefined();
  });
});
