/**
 * Ingest on three clouds (issue 4), on the local stack: the deployed handlers behind each platform's local trigger
 * host, the real stores behind the adapters, compared with a reference computed directly from the records.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TriggerHost } from '../../scripts/trigger-hosts/host-loop.ts';
import type { DeadLetterItem } from '../../shared/clouds/dead-letter-item.ts';
import { systemClock } from '../../shared/clouds/system-clock.ts';
import {
  childPosition,
  createIngest,
  type DataRecord,
  type ExportedWindow,
  encodeMessage,
  exportWindow,
  FANOUT,
  parseWindows,
  ROOT,
  summaryId,
  windowId,
} from '../../shared/core/index.ts';
import { awsHarness, azureHarness, type CloudHarness, gcpHarness } from '../helpers/cloud-harness.ts';
import { eventually } from '../helpers/eventually.ts';
import { expectExact, exportedWindows, referenceWindows, sortWindows, T0 } from '../helpers/records.ts';

const WINDOWS = parseWindows('1m');

/** A stream of its own per test: a unique series over three minutes, awkward decimals, some zero qty. */
function stream(tag: string, n = 120): DataRecord[] {
  const series = `${tag}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
  return Array.from({ length: n }, (_, i) => ({
    series,
    seq: 1_000 + i,
    ts: T0 + i * 1_500,
    value: 100 + ((i * 37) % 101) / 10,
    qty: i % 7 === 0 ? 0 : 0.1 * (i % 5),
  }));
}

function bodies(records: readonly DataRecord[], perMessage = 25): string[] {
  const out: string[] = [];
  for (let i = 0; i < records.length; i += perMessage)
    out.push(encodeMessage(`b${i}`, records.slice(i, i + perMessage)));
  return out;
}

async function exported(
  cloud: CloudHarness,
  reference: readonly ExportedWindow[],
): Promise<ExportedWindow[]> {
  const ids = reference.map((w) => windowId(w));
  const docs = await cloud.store.read(ids);
  return sortWindows(exportedWindows(docs.values()));
}

/** Polls the store until it holds exactly the reference's windows with their counts, then compares all fields. */
async function expectStoreExact(cloud: CloudHarness, records: readonly DataRecord[]) {
  const reference = referenceWindows(records, WINDOWS);
  const actual = await eventually(
    () => exported(cloud, reference),
    (windows) =>
      windows.length === reference.length && windows.every((w, i) => w.count === reference[i]?.count),
    { what: `${cloud.origin} documents to match the reference` },
  );
  expectExact(actual, reference);
}

describe.each([
  ['aws', awsHarness],
  ['gcp', gcpHarness],
  ['azure', azureHarness],
] as const)('ingest on %s', (_name, makeHarness) => {
  let cloud: CloudHarness;
  let host: TriggerHost;

  beforeAll(async () => {
    cloud = makeHarness();
    host = await cloud.startHost();
  });

  afterAll(async () => {
    await host?.stop();
    await cloud?.close();
  });

  it('turns valid messages into exact window documents', async () => {
    const records = stream('valid');
    await cloud.send(bodies(records));
    await expectStoreExact(cloud, records);
  });

  it("reads one series' windows over [from, to) through the range index, paged, as exported", async () => {
    // Windows of one series, and another series' windows at the same times, which the read must not return.
    const records = stream('range', 360).filter((_, i) => i % 12 === 0);
    await cloud.send([...bodies(records), ...bodies(stream('range-other', 40))]);
    await expectStoreExact(cloud, records);
    const reference = referenceWindows(records, WINDOWS);
    const [first, second, third] = reference;
    const series = records[0]!.series;
    const readAll = async (from: number, to: number, limit: number) => {
      const out: ExportedWindow[] = [];
      for (let next: number | undefined = from; next !== undefined; ) {
        const page = await cloud.store.windows({ series, window: '1m', from: next, to }, limit);
        expect(page.windows.length).toBeLessThanOrEqual(limit);
        out.push(...page.windows.map(exportWindow));
        next = page.next;
      }
      return out;
    };
    // Pages of one window: the first two windows, not the third, whose start is the exclusive end.
    expectExact(await readAll(first!.start, third!.start, 1), [first!, second!]);
    // A start inside a window's minute excludes that window.
    expectExact(await readAll(first!.start + 1, third!.start + 1, 10), [second!, third!]);
    expect(await readAll(first!.start + 1, first!.start + 2, 10)).toEqual([]);
  });

  it('takes ids scattered over 2^53, a slice each: the window splits into summary nodes and ends exact', async () => {
    const start = T0 - (T0 % 60_000);
    const records = stream('scattered', 600).map((r, i) => ({
      ...r,
      ts: start + (i % 60) * 1_000,
      seq: Number((BigInt(i + 1) * 0x9e3779b97f4a7c15n) % 2n ** 53n),
    }));
    await cloud.send(bodies(records, 100));
    await expectStoreExact(cloud, records);
    const key = { series: records[0]!.series, window: '1m', start };
    const window = (await cloud.store.read([windowId(key)])).get(windowId(key));
    expect(window?.kind === 'window' && window.split).toBe(true);
    const nodeIds = Array.from({ length: FANOUT }, (_, i) => summaryId(key, childPosition(ROOT, i)));
    const nodes = await cloud.store.read(nodeIds);
    expect(
      [...nodes.values()].reduce(
        (n, node) => n + (node.kind === 'node' ? node.merged.aggregate.count : 0),
        0,
      ),
    ).toBe(600);
  });

  it('counts a message delivered three times once', async () => {
    const records = stream('thrice');
    const once = bodies(records);
    const before = host.stats.messages;
    await cloud.send([...once, ...once, ...once]);
    // Every copy taken by the handler, not just the first: only then is "counted once" proven.
    await eventually(
      () => Promise.resolve(host.stats.messages),
      (n) => n >= before + 3 * once.length,
      { what: 'every copy to be delivered' },
    );
    await expectStoreExact(cloud, records);
  });

  it('gives the same documents for reversed delivery order', async () => {
    const records = stream('reversed');
    await cloud.send(bodies(records, 10).reverse());
    await expectStoreExact(cloud, records);
  });

  it('aggregates the valid records of a mixed message and dead-letters the others with reasons', async () => {
    const records = stream('mixed', 30);
    const batchId = `mixed-${records[0]!.series}`;
    const body = JSON.stringify({
      v: 1,
      b: batchId,
      r: [
        ...records.map((r) => [r.series, r.seq, r.ts, r.value, r.qty]),
        [records[0]!.series, 7.5, T0, 1, 1],
        [records[0]!.series, 8, T0, 'NaN', 1],
      ],
    });
    await cloud.send([body]);
    await expectStoreExact(cloud, records);
    const letters = await eventually(
      () => lettersWhere(cloud, (l) => l.batchId === batchId),
      (found) => found.length === 2,
      { what: 'two dead letters of the mixed message' },
    );
    expect(letters.map((l) => l.row)).toEqual([records.length, records.length + 1]);
    expect(letters.map((l) => l.reason)).toEqual([
      'seq must be an integer from 0 to 2^53 − 1, got 7.5',
      'value must be a finite number within ±1e125, got "NaN"',
    ]);
    expect(letters[0]?.payload).toBe(`["${records[0]!.series}",7.5,${T0},1,1]`);
  });

  it('keeps an undecodable message whole in the dead-letter place, with its reason', async () => {
    const marker = `{"not":"an envelope","marker":"${Math.random().toString(36).slice(2)}"}`;
    await cloud.send([marker]);
    const [letter] = await eventually(
      () => lettersWhere(cloud, (l) => l.payload === marker),
      (found) => found.length === 1,
      { what: 'the undecodable message in the dead-letter place' },
    );
    expect(letter?.reason).toContain('unknown envelope version missing');
    expect(letter?.row).toBeUndefined();
  });

  it('ends exact after a crash between document writes and a redelivery', async () => {
    const records = stream('crash', 200);
    const messages = bodies(records, 50).map((body, i) => ({ id: `crash-${i}`, body }));
    let writes = 0;
    const crashing = {
      ...bindStore(cloud.store),
      async write(doc: Parameters<CloudHarness['store']['write']>[0], expected: number) {
        if (++writes > 2) throw new Error('the function instance crashed');
        return cloud.store.write(doc, expected);
      },
    };
    const first = createIngest(
      { store: crashing, deadLetters: cloud.deadLetters, clock: systemClock },
      { origin: cloud.origin, windows: WINDOWS },
    );
    const { failedMessageIds } = await first(messages);
    expect(failedMessageIds.length).toBeGreaterThan(0);
    const again = createIngest(
      { store: cloud.store, deadLetters: cloud.deadLetters, clock: systemClock },
      { origin: cloud.origin, windows: WINDOWS },
    );
    const retry = await again(messages.filter((m) => failedMessageIds.includes(m.id)));
    expect(retry.failedMessageIds).toEqual([]);
    await expectStoreExact(cloud, records);
  });

  it('ends exact when two instances write the same windows concurrently', async () => {
    const records = stream('race', 240);
    const all = bodies(records, 20).map((body, i) => ({ id: `race-${i}`, body }));
    const make = () =>
      createIngest(
        { store: cloud.store, deadLetters: cloud.deadLetters, clock: systemClock },
        { origin: cloud.origin, windows: WINDOWS, maxAttempts: 20 },
      );
    const [a, b] = [make(), make()];
    const results = await Promise.all([
      a(all.filter((_, i) => i % 2 === 0)),
      b(all.filter((_, i) => i % 2 === 1)),
    ]);
    expect(results.flatMap((r) => r.failedMessageIds)).toEqual([]);
    await expectStoreExact(cloud, records);
  });

  it('loses nothing while the store is unreachable, once it is back', async () => {
    const records = stream('outage', 60);
    const messages = bodies(records, 20).map((body, i) => ({ id: `outage-${i}`, body }));
    const down = cloud.unreachable();
    const during = createIngest(
      { store: down.store, deadLetters: down.deadLetters, clock: systemClock },
      { origin: cloud.origin, windows: WINDOWS, maxAttempts: 2, backoff: { baseMs: 1, maxMs: 5 } },
    );
    const failed = await during(messages);
    expect(failed.failedMessageIds).toHaveLength(messages.length);
    expect(failed.report.firstError).toMatch(/UnavailableError/);
    const after = createIngest(
      { store: cloud.store, deadLetters: cloud.deadLetters, clock: systemClock },
      { origin: cloud.origin, windows: WINDOWS },
    );
    expect((await after(messages)).failedMessageIds).toEqual([]);
    await expectStoreExact(cloud, records);
  });
});

function bindStore(store: CloudHarness['store']): CloudHarness['store'] {
  return {
    read: (ids) => store.read(ids),
    write: (doc, expected) => store.write(doc, expected),
    changes: (since, limit) => store.changes(since, limit),
    windows: (range, limit) => store.windows(range, limit),
    readWatermark: (source) => store.readWatermark(source),
    writeWatermark: (source, cursor) => store.writeWatermark(source, cursor),
  };
}

async function lettersWhere(cloud: CloudHarness, match: (letter: DeadLetterItem) => boolean) {
  const found: DeadLetterItem[] = [];
  for await (const letter of cloud.deadLetters.list()) if (match(letter)) found.push(letter);
  return found.sort((a, b) => (a.row ?? -1) - (b.row ?? -1));
}
