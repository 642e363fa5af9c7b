/**
 * The producer engine with in-memory publishers (our own Publisher port, not a cloud SDK): every record delivered
 * once, rejects and duplicates kept out, a resumed spool, and failover that never puts a record in two clouds.
 * The same engine against the local stack's real servers is in test/integration/produce.test.ts.
 */
import { appendFile, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { type ProducerOptions, type ProducerStats, runProducer } from '../../producers/producer.ts';
import type { Publisher } from '../../producers/publishers.ts';
import { homeCloud } from '../../producers/routing.ts';
import { fileSource } from '../../producers/sources/file.ts';
import type { Source, SourceItem } from '../../producers/sources/source.ts';
import { syntheticSource } from '../../producers/sources/synthetic.ts';
import { decodeMessage, ORIGINS, type Origin } from '../../shared/core/index.ts';

/** Records what each cloud accepted; `failing(cloud)` makes a publish throw the error it returns. */
function recorder(failing: (cloud: Origin) => Error | undefined = () => undefined) {
  const received = Object.fromEntries(ORIGINS.map((o) => [o, [] as string[]])) as Record<Origin, string[]>;
  const publisherFor = (cloud: Origin): Publisher => ({
    cloud,
    async publish(messages) {
      const error = failing(cloud);
      if (error) throw error;
      for (const m of messages) {
        const d = decodeMessage(m.body);
        if (!d.ok) throw new Error(d.reason);
        for (const row of d.rows as [string, number][]) {
          expect(row[0]).toBe(m.partitionKey);
          received[cloud].push(`${row[0]}#${row[1]}`);
        }
      }
    },
    async close() {},
  });
  return { received, publisherFor };
}

/**
 * Wraps publishers so that `cloud`'s first publish never answers, like a send on a connection an outage cut;
 * `signals` are the abort signals of that cloud's publishes, in order.
 */
function firstPublishHangs(publisherFor: (cloud: Origin) => Publisher, cloud: Origin) {
  const signals: AbortSignal[] = [];
  const wrapped = (c: Origin): Publisher => {
    const inner = publisherFor(c);
    return {
      cloud: c,
      publish: (messages, signal) => {
        if (c === cloud && signal && signals.push(signal) === 1) return new Promise<void>(() => {});
        return inner.publish(messages, signal);
      },
      close: () => inner.close(),
    };
  };
  return { publisherFor: wrapped, signals };
}

/** An item of {@link scripted}: its position is its index. */
type ScriptedItem =
  | Omit<Extract<SourceItem, { kind: 'record' }>, 'position'>
  | Omit<Extract<SourceItem, { kind: 'reject' }>, 'position'>;

/**
 * A source of fixed items whose position is the count yielded: it resumes after that many, then waits to be stopped.
 * `firstRun` caps what a run from the start yields, so a restart finds the rest.
 */
function scripted(
  items: ScriptedItem[],
  {
    firstRun = items.length,
    onStart,
  }: { firstRun?: number; onStart?: (from: string | undefined) => void } = {},
): Source {
  return {
    name: 'scripted',
    async *items({ signal, resumeFrom }): AsyncGenerator<SourceItem> {
      onStart?.(resumeFrom);
      const to = resumeFrom === undefined ? firstRun : items.length;
      for (let i = Number(resumeFrom ?? 0); i < to; i++) yield { ...items[i]!, position: String(i + 1) };
      await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
    },
  };
}

/** Runs the producer until its progress satisfies `done`, then stops it as Ctrl-C does. */
function runUntil(source: Source, options: ProducerOptions, done: (p: ProducerStats) => boolean) {
  const controller = new AbortController();
  return runProducer(source, {
    ...options,
    signal: controller.signal,
    progressEveryMs: 5,
    onProgress: (p) => {
      if (done(p)) controller.abort();
    },
  });
}

const stateDir = () => mkdtemp(path.join(tmpdir(), 'produce-'));
const refused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
const base = { chunkRecords: 500, recordsPerMessage: 100, lane: { retryInitialMs: 5, retryMaxMs: 20 } };

describe('runProducer', () => {
  it('delivers every record of a partitioned stream once, to its home cloud', async () => {
    const { received, publisherFor } = recorder();
    const source = syntheticSource({ seed: 1, series: 12, records: 3_000 });
    const stats = await runProducer(source, {
      ...base,
      route: 'partition',
      stateDir: await stateDir(),
      publisherFor,
    });
    expect(stats.read).toBe(3_000);
    expect(stats.delivered).toBe(true);
    const all = ORIGINS.flatMap((o) => received[o]);
    expect(all.length).toBe(3_000);
    expect(new Set(all).size).toBe(3_000);
    for (const o of ORIGINS) {
      expect(received[o].every((k) => homeCloud(k.split('#')[0]!) === o)).toBe(true);
      expect(stats.perCloud[o]?.records).toBe(received[o].length);
    }
  });

  it('mirrors to the clouds chosen, and sends many records per message', async () => {
    const { received, publisherFor } = recorder();
    const source = syntheticSource({ seed: 2, series: 3, records: 1_200 });
    const stats = await runProducer(source, {
      ...base,
      route: 'mirror',
      to: ['gcp', 'azure'],
      stateDir: await stateDir(),
      publisherFor,
    });
    expect(received.aws).toEqual([]);
    expect(received.gcp.length).toBe(1_200);
    expect([...received.azure].sort()).toEqual([...received.gcp].sort());
    expect(stats.perCloud.gcp!.messages).toBeLessThan(1_200 / 50);
  });

  it('keeps bad lines and repeated records out, writing each reject with its line and reason', async () => {
    const dir = await stateDir();
    const file = path.join(dir, 'in.ndjson');
    await writeFile(
      file,
      [
        '{"series":"A","seq":1,"ts":1700000000000,"value":1}',
        'not json',
        '{"series":"A","seq":2,"ts":1700000000000,"value":1}',
        '{"series":"A","seq":1,"ts":1700000000000,"value":1}',
        '{"series":"bad series","seq":3,"ts":1700000000000,"value":1}',
        '{"series":"A","seq":3,"ts":1700000000000,"value":1,"qty":-1}',
        '',
      ].join('\n'),
    );
    const { received, publisherFor } = recorder();
    const stats = await runProducer(await fileSource(file), {
      ...base,
      route: 'partition',
      stateDir: path.join(dir, 'state'),
      publisherFor,
    });
    expect(stats).toMatchObject({ read: 3, rejected: 3, duplicates: 1, delivered: true });
    expect(ORIGINS.flatMap((o) => received[o]).sort()).toEqual(['A#1', 'A#2']);
    const rejects = (await readFile(stats.rejectsFile, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rejects.map((r) => r.line)).toEqual([2, 5, 6]);
    expect(rejects[2].reason).toBe('qty must be a finite number from 0 to 1e125, got -1');
    expect(rejects[0].text).toBe('not json');
  });

  it('leaves what a cloud does not accept in the spool, and a re-run delivers it without re-reading the source', async () => {
    const dir = await stateDir();
    let awsUp = false;
    const first = recorder((c) => (c === 'aws' && !awsUp ? refused() : undefined));
    const source = syntheticSource({ seed: 4, series: 9, records: 2_000 });
    const options: ProducerOptions = { ...base, route: 'partition', stateDir: dir, drainTimeoutMs: 50 };
    const one = await runProducer(source, { ...options, publisherFor: first.publisherFor });
    expect(one.delivered).toBe(false);
    expect(one.perCloud.aws).toMatchObject({ records: 0, healthy: false });
    const awsRecords = one.perCloud.aws!.spooled;
    expect(awsRecords).toBeGreaterThan(0);
    // A crash can leave a torn line at the end of the journal: the restart must ignore it.
    await appendFile(
      path.join(dir, 'journal.log'),
      'm\t99999\taws\tSYM000USDT\t1\t{"v":1,"b":"x","r":[["SYM',
    );

    awsUp = true;
    const second = recorder();
    const two = await runProducer(source, { ...options, publisherFor: second.publisherFor });
    expect(two.read).toBe(0);
    expect(two.delivered).toBe(true);
    expect(two.perCloud.aws).toMatchObject({ records: awsRecords, replayed: awsRecords });
    expect(second.received.gcp).toEqual([]);
    const all = [...ORIGINS.flatMap((o) => first.received[o]), ...second.received.aws];
    expect(new Set(all).size).toBe(2_000);
    expect(all.length).toBe(2_000);
  });

  it('compacts the journal during an outage down to the down cloud’s backlog, and delivers it later once', async () => {
    const dir = await stateDir();
    let awsUp = false;
    const first = recorder((c) => (c === 'aws' && !awsUp ? refused() : undefined));
    const source = syntheticSource({ seed: 7, series: 9, records: 20_000 });
    const options: ProducerOptions = {
      ...base,
      route: 'partition',
      stateDir: dir,
      drainTimeoutMs: 50,
      compactBytes: 16 * 1024,
    };
    const one = await runProducer(source, { ...options, publisherFor: first.publisherFor });
    expect(one.delivered).toBe(false);
    const journal = (await readFile(path.join(dir, 'journal.log'), 'utf8')).split('\n');
    const spooled = journal.filter((l) => l.startsWith('m\t'));
    const bytesOf = (lines: string[]) => lines.reduce((n, l) => n + l.length, 0);
    const aws = spooled.filter((l) => l.split('\t')[2] === 'aws');
    // Every message AWS has not taken is still there; what GCP and Azure accepted is compacted away as soon as it
    // is half the journal, so it never outweighs the backlog (it would be twice the backlog without compaction).
    expect(aws.reduce((n, l) => n + Number(l.split('\t')[4]), 0)).toBe(one.perCloud.aws!.spooled);
    expect(bytesOf(spooled) - bytesOf(aws)).toBeLessThanOrEqual(bytesOf(aws));

    awsUp = true;
    const second = recorder();
    const two = await runProducer(source, {
      ...options,
      drainTimeoutMs: 60_000,
      publisherFor: second.publisherFor,
    });
    expect(two.delivered).toBe(true);
    const all = [...ORIGINS.flatMap((o) => first.received[o]), ...second.received.aws];
    expect(all.length).toBe(20_000);
    expect(new Set(all).size).toBe(20_000);
  });

  it('fails over on a refused connection: every record reaches exactly one cloud', async () => {
    let awsCalls = 0;
    // AWS accepts its first publish, then refuses connections until ten attempts later.
    const { received, publisherFor } = recorder((c) => {
      if (c !== 'aws') return undefined;
      awsCalls++;
      return awsCalls >= 2 && awsCalls < 12 ? refused() : undefined;
    });
    const source = syntheticSource({ seed: 5, series: 9, records: 20_000 });
    const stats = await runProducer(source, {
      ...base,
      route: 'failover',
      rate: 20_000,
      stateDir: await stateDir(),
      publisherFor,
    });
    expect(stats.delivered).toBe(true);
    const all = ORIGINS.flatMap((o) => received[o]);
    expect(all.length).toBe(20_000);
    expect(new Set(all).size).toBe(20_000);
    // Some of AWS's home series went elsewhere while it was down.
    const moved = [...received.gcp, ...received.azure].filter((k) => homeCloud(k.split('#')[0]!) === 'aws');
    expect(moved.length).toBeGreaterThan(0);
    expect(stats.perCloud.aws!.failures).toBeGreaterThan(0);
  });

  it('cancels a publish that outlives its timeout, and sends the same messages again', async () => {
    const { received, publisherFor: recording } = recorder();
    const { publisherFor, signals } = firstPublishHangs(recording, 'aws');
    const source = syntheticSource({ seed: 6, series: 9, records: 2_000 });
    const stats = await runProducer(source, {
      ...base,
      lane: { ...base.lane, publishTimeoutMs: 50 },
      route: 'partition',
      stateDir: await stateDir(),
      publisherFor,
    });
    expect(stats.delivered).toBe(true);
    expect(signals[0]?.aborted).toBe(true);
    expect(signals.length).toBeGreaterThan(1);
    const all = ORIGINS.flatMap((o) => received[o]);
    expect(new Set(all).size).toBe(2_000);
    expect(stats.perCloud.aws!.failures).toBeGreaterThan(0);
  });

  it('moves messages never attempted on a refusing cloud to the next healthy one, durably', async () => {
    const dir = await stateDir();
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let awsCalls = 0;
    const received = Object.fromEntries(ORIGINS.map((o) => [o, [] as string[]])) as Record<Origin, string[]>;
    const inner = recorder().publisherFor;
    const publisherFor = (cloud: Origin): Publisher => {
      const base = inner(cloud);
      return {
        cloud,
        async publish(messages) {
          if (cloud === 'aws' && ++awsCalls === 1) {
            // The first publish hangs while more chunks queue up behind it, then the connection is refused.
            await held;
            throw refused();
          }
          await base.publish(messages);
          for (const m of messages) {
            const d = decodeMessage(m.body);
            if (d.ok)
              for (const row of d.rows as [string, number][]) received[cloud].push(`${row[0]}#${row[1]}`);
          }
        },
        close: base.close,
      };
    };
    const source = syntheticSource({ seed: 8, series: 9, records: 10_000 });
    const stats = await runProducer(source, {
      ...base,
      route: 'failover',
      stateDir: dir,
      publisherFor,
      progressEveryMs: 5,
      onProgress: (p) => {
        if (p.read >= 10_000) release();
      },
    });
    expect(stats.delivered).toBe(true);
    expect(stats.perCloud.aws!.rerouted).toBeGreaterThan(0);
    const all = ORIGINS.flatMap((o) => received[o]);
    expect(all.length).toBe(10_000);
    expect(new Set(all).size).toBe(10_000);
    expect(await readFile(path.join(dir, 'journal.log'), 'utf8')).not.toMatch(/^m\t/m);
  });

  it('moves messages never attempted on a cloud that stops answering to the next healthy one', async () => {
    const { received, publisherFor: recording } = recorder();
    // Like Pub/Sub's or Event Hubs' client waiting for a connection that does not come.
    const { publisherFor } = firstPublishHangs(recording, 'aws');
    const stats = await runProducer(syntheticSource({ seed: 9, series: 9, records: 10_000 }), {
      ...base,
      lane: { ...base.lane, publishTimeoutMs: 200 },
      route: 'failover',
      stateDir: await stateDir(),
      publisherFor,
    });
    expect(stats.delivered).toBe(true);
    expect(stats.perCloud.aws!.rerouted).toBeGreaterThan(0);
    const all = ORIGINS.flatMap((o) => received[o]);
    expect(all.length).toBe(10_000);
    expect(new Set(all).size).toBe(10_000);
  });

  it('stops reading on the signal and keeps everything read in the spool or sent', async () => {
    const controller = new AbortController();
    const { received, publisherFor } = recorder();
    const source = syntheticSource({ seed: 6, series: 4 });
    const stats = await runProducer(source, {
      ...base,
      route: 'partition',
      stateDir: await stateDir(),
      publisherFor,
      onProgress: (p) => {
        if (p.read >= 5_000) controller.abort();
      },
      progressEveryMs: 5,
      signal: controller.signal,
    });
    expect(stats.read).toBeGreaterThanOrEqual(5_000);
    expect(stats.delivered).toBe(true);
    expect(ORIGINS.flatMap((o) => received[o]).length).toBe(stats.read);
  });

  it.each([
    ['delivered everything, so the spool compacted', false],
    ['left messages in the spool', true],
  ])('sends a record repeated after a restart once, when the first run %s', async (_, homeDown) => {
    const dir = await stateDir();
    // The stream repeats seq 3 after the point where the first run stops.
    const source = scripted(
      [1, 2, 3, 4, 5, 6, 3, 7].map((seq) => ({
        kind: 'record',
        record: { series: 'A', seq, ts: 1_700_000_000_000 + seq, value: 1, qty: 1 },
      })),
      { firstRun: 6 },
    );
    const first = recorder((c) => (homeDown && c === homeCloud('A') ? refused() : undefined));
    const second = recorder();
    const options = { ...base, route: 'partition' as const, stateDir: dir, abortGraceMs: 50 };
    const one = await runUntil(
      source,
      { ...options, publisherFor: first.publisherFor },
      (p) => p.read >= 6 && (homeDown || p.delivered),
    );
    const two = await runUntil(
      source,
      { ...options, publisherFor: second.publisherFor },
      (p) => p.read >= 2 && p.delivered,
    );
    expect(one.delivered).toBe(!homeDown);
    expect(two).toMatchObject({ read: 2, duplicates: 1, delivered: true });
    const all = [first, second].flatMap((r) => ORIGINS.flatMap((o) => r.received[o]));
    expect(all.sort()).toEqual(['A#1', 'A#2', 'A#3', 'A#4', 'A#5', 'A#6', 'A#7']);
  });

  it('names a damaged state directory and the way out, instead of starting on half of it', async () => {
    const dir = await stateDir();
    await writeFile(path.join(dir, 'journal.log'), 'c\t{"rejectsBytes":0\n');
    const { publisherFor } = recorder();
    await expect(
      runProducer(syntheticSource({ seed: 1, series: 1, records: 10 }), {
        ...base,
        route: 'partition',
        stateDir: dir,
        publisherFor,
      }),
    ).rejects.toThrow(`the producer state in ${dir} cannot be read (`);
  });

  it('resumes after the last line committed, reject or record, so a restart lists no reject twice', async () => {
    const dir = await stateDir();
    const resumedFrom: (string | undefined)[] = [];
    const source = scripted(
      [
        { kind: 'record', record: { series: 'R', seq: 1, ts: 1, value: 1, qty: 1 } },
        { kind: 'reject', line: 2, reason: 'bad', text: 'x' },
        { kind: 'reject', line: 3, reason: 'bad', text: 'y' },
      ],
      { onStart: (from) => resumedFrom.push(from) },
    );
    const { publisherFor } = recorder();
    const options = { ...base, route: 'partition' as const, stateDir: dir, publisherFor };
    await runUntil(source, options, (p) => p.rejected === 2);
    await runUntil(source, options, () => true);
    expect(resumedFrom).toEqual([undefined, '3']);
    const rejects = (await readFile(path.join(dir, 'rejects.ndjson'), 'utf8')).trim().split('\n');
    expect(rejects.map((l) => JSON.parse(l).line)).toEqual([2, 3]);
  });
});
