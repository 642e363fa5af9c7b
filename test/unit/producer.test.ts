/**
 * The producer (`producers/producer.ts`) with in-memory publishers (our own Publisher port, not a cloud SDK): every
 * record delivered once, rejects and duplicates kept out, a resumed spool, and failover that never puts a record in
 * two clouds. Every run is on a {@link ManualClock}: time stands still unless a test moves it, so a timeout, a
 * backoff, a chunk deadline or the drain ends exactly where the test says, however fast the machine is. The same
 * producer against the local stack's real servers is in test/integration/produce.test.ts.
 */
import { appendFile, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Producer, type ProducerOptions, type ProducerStats, runProducer } from '../../producers/producer.ts';
import type { Publisher } from '../../producers/publishers.ts';
import { homeCloud } from '../../producers/routing.ts';
import { fileSource } from '../../producers/sources/file.ts';
import type { Source, SourceItem } from '../../producers/sources/source.ts';
import {
  type SyntheticOptions,
  syntheticRecords,
  syntheticSource,
} from '../../producers/sources/synthetic.ts';
import { type DataRecord, decodeMessage, ORIGINS, type Origin } from '../../shared/core/index.ts';
import { ManualClock } from '../../shared/core/testing/index.ts';
import { eventually } from '../helpers/eventually.ts';

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

/**
 * A source of `records` read in steps: it yields up to the first bound, then waits for `next()` before going on to
 * the next bound, and ends after the last record. Positions are record counts.
 */
function inSteps(records: readonly DataRecord[], bounds: readonly number[]) {
  const gates: (() => void)[] = [];
  const opened = bounds.map(() => new Promise<void>((resolve) => gates.push(resolve)));
  let step = 0;
  const source: Source = {
    name: 'in-steps',
    async *items(): AsyncGenerator<SourceItem> {
      for (let i = 0; i < records.length; i++) {
        const bound = bounds.indexOf(i);
        if (bound >= 0) await opened[bound];
        yield { kind: 'record', record: records[i]!, position: String(i + 1) };
      }
    },
  };
  return { source, next: () => gates[step++]?.() };
}

/** A run on a clock that stands still until the test moves it; `until` polls the run's stats. */
async function start(source: Source, options: ProducerOptions) {
  const clock = new ManualClock();
  const stop = new AbortController();
  const producer = await Producer.open(source, { ...options, clock, signal: stop.signal });
  const run = producer.run();
  // The test awaits `run` in the end; meanwhile a failure must not count as unhandled.
  run.catch(() => {});
  const until = (what: string, done: (stats: ProducerStats) => boolean) =>
    eventually(async () => producer.stats(), done, { what, timeoutMs: 30_000, intervalMs: 1 });
  return { clock, run, until, stop: () => stop.abort() };
}

/** A whole run on a clock that never moves: whatever it does, it does without waiting for time. */
function runFrozen(source: Source, options: ProducerOptions) {
  return runProducer(source, { ...options, clock: new ManualClock() });
}

/**
 * Moves the clock to each wait in turn, no further than `horizonMs` ahead, until `run` ends. A horizon keeps the
 * waits a test means to last (a drain or publish timeout) from ending, so only retries come due.
 */
async function runOut<T>(
  clock: ManualClock,
  run: Promise<T>,
  horizonMs = Number.POSITIVE_INFINITY,
): Promise<T> {
  let settled = false;
  const ended = () => {
    settled = true;
  };
  run.then(ended, ended);
  await eventually(
    async () => {
      const next = clock.untilNext;
      if (!settled && next !== undefined && next <= horizonMs) clock.advance(next);
      return settled;
    },
    (done) => done,
    { what: 'the run to end', timeoutMs: 30_000, intervalMs: 1 },
  );
  return run;
}

/** Records each cloud accepted in this run. */
const accepted = (stats: ProducerStats, ...clouds: Origin[]) =>
  clouds.reduce((n, cloud) => n + (stats.perCloud[cloud]?.records ?? 0), 0);

/** How many records of a synthetic stream each cloud is home to. */
function homes(options: SyntheticOptions & { records: number }): Record<Origin, number> {
  const counts = { aws: 0, gcp: 0, azure: 0 };
  const next = syntheticRecords(options);
  for (let i = 0; i < options.records; i++) counts[homeCloud(next().series)]++;
  return counts;
}

const key = (r: DataRecord) => `${r.series}#${r.seq}`;
const stateDir = () => mkdtemp(path.join(tmpdir(), 'produce-'));
const refused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
const base = { chunkRecords: 500, recordsPerMessage: 100, lane: { retryInitialMs: 5, retryMaxMs: 20 } };

describe('runProducer', () => {
  it('delivers every record of a partitioned stream once, to its home cloud', async () => {
    const { received, publisherFor } = recorder();
    const source = syntheticSource({ seed: 1, series: 12, records: 3_000 });
    const stats = await runFrozen(source, {
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
    const stats = await runFrozen(source, {
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
    const stats = await runFrozen(await fileSource(file), {
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

  it('reads no faster than the rate: each record waits its turn on the clock', async () => {
    const { publisherFor } = recorder();
    const { clock, run, until } = await start(syntheticSource({ seed: 3, series: 2, records: 100 }), {
      ...base,
      route: 'partition',
      rate: 1_000,
      stateDir: await stateDir(),
      publisherFor,
    });
    // At 1,000 a second the record at index i is due i ms after the start: after 10 ms, 11 have been read.
    for (let ms = 10; ms < 100; ms += 10) {
      clock.advance(10);
      await until(`${ms + 1} records read after ${ms} ms`, (s) => s.read === ms + 1);
    }
    clock.advance(10);
    const stats = await run;
    expect(stats).toMatchObject({ read: 100, delivered: true, seconds: 0.1, rate: 1_000 });
  });

  it('commits what a slow source read at the chunk deadline, so it is sent without waiting for more', async () => {
    const { received, publisherFor } = recorder();
    const records = [1, 2, 3].map((seq) => ({
      kind: 'record' as const,
      record: { series: 'A', seq, ts: 1_700_000_000_000 + seq, value: 1, qty: 1 },
    }));
    const { clock, run, until, stop } = await start(scripted(records), {
      ...base,
      route: 'partition',
      chunkMs: 200,
      stateDir: await stateDir(),
      publisherFor,
    });
    await until('three records read', (s) => s.read === 3);
    // The open chunk's deadline is the only wait: nothing is committed, so nothing is sent, before it.
    expect(clock.untilNext).toBe(200);
    expect(ORIGINS.flatMap((o) => received[o])).toEqual([]);
    clock.advance(200);
    await until('the three records accepted', (s) => accepted(s, ...ORIGINS) === 3);
    stop();
    expect(await run).toMatchObject({ read: 3, delivered: true });
  });

  it('leaves what a cloud does not accept in the spool, and a re-run delivers it without re-reading the source', async () => {
    const dir = await stateDir();
    let awsUp = false;
    const first = recorder((c) => (c === 'aws' && !awsUp ? refused() : undefined));
    const synthetic = { seed: 4, series: 9, records: 2_000 };
    const source = syntheticSource(synthetic);
    const options: ProducerOptions = { ...base, route: 'partition', stateDir: dir, drainTimeoutMs: 50 };
    const home = homes(synthetic);
    const running = await start(source, { ...options, publisherFor: first.publisherFor });
    // GCP and Azure take everything of theirs; only then does time pass, and AWS's drain time runs out.
    await running.until(
      'GCP and Azure to accept their records',
      (s) => accepted(s, 'gcp', 'azure') === home.gcp + home.azure,
    );
    const one = await runOut(running.clock, running.run);
    expect(one.delivered).toBe(false);
    expect(one.perCloud.aws).toMatchObject({ records: 0, spooled: home.aws, healthy: false });
    // A crash can leave a torn line at the end of the journal: the restart must ignore it.
    await appendFile(
      path.join(dir, 'journal.log'),
      'm\t99999\taws\tSYM000USDT\t1\t{"v":1,"b":"x","r":[["SYM',
    );

    awsUp = true;
    const second = recorder();
    const two = await runFrozen(source, { ...options, publisherFor: second.publisherFor });
    expect(two.read).toBe(0);
    expect(two.delivered).toBe(true);
    expect(two.perCloud.aws).toMatchObject({ records: home.aws, replayed: home.aws });
    expect(second.received.gcp).toEqual([]);
    const all = [...ORIGINS.flatMap((o) => first.received[o]), ...second.received.aws];
    expect(new Set(all).size).toBe(2_000);
    expect(all.length).toBe(2_000);
  });

  it('compacts the journal during an outage down to the down cloud’s backlog, and delivers it later once', async () => {
    const dir = await stateDir();
    let awsUp = false;
    const first = recorder((c) => (c === 'aws' && !awsUp ? refused() : undefined));
    const synthetic = { seed: 7, series: 9, records: 20_000 };
    const source = syntheticSource(synthetic);
    const options: ProducerOptions = {
      ...base,
      route: 'partition',
      stateDir: dir,
      drainTimeoutMs: 50,
      compactBytes: 16 * 1024,
    };
    const home = homes(synthetic);
    const running = await start(source, { ...options, publisherFor: first.publisherFor });
    await running.until(
      'GCP and Azure to accept their records',
      (s) => accepted(s, 'gcp', 'azure') === home.gcp + home.azure,
    );
    const one = await runOut(running.clock, running.run);
    expect(one.delivered).toBe(false);
    const journal = (await readFile(path.join(dir, 'journal.log'), 'utf8')).split('\n');
    const spooled = journal.filter((l) => l.startsWith('m\t'));
    const bytesOf = (lines: string[]) => lines.reduce((n, l) => n + l.length, 0);
    const aws = spooled.filter((l) => l.split('\t')[2] === 'aws');
    // Every message AWS has not taken is still there; what GCP and Azure accepted is compacted away as soon as it
    // is half the journal, so it never outweighs the backlog (it would be twice the backlog without compaction).
    expect(aws.reduce((n, l) => n + Number(l.split('\t')[4]), 0)).toBe(home.aws);
    expect(bytesOf(spooled) - bytesOf(aws)).toBeLessThanOrEqual(bytesOf(aws));

    awsUp = true;
    const second = recorder();
    const two = await runFrozen(source, { ...options, publisherFor: second.publisherFor });
    expect(two.delivered).toBe(true);
    const all = [...ORIGINS.flatMap((o) => first.received[o]), ...second.received.aws];
    expect(all.length).toBe(20_000);
    expect(new Set(all).size).toBe(20_000);
  });

  it('fails over on a refused connection: new records of the down cloud go to the next healthy one, each record to one cloud', async () => {
    let awsDown = false;
    const { received, publisherFor } = recorder((c) => (c === 'aws' && awsDown ? refused() : undefined));
    const records = Array.from({ length: 3_000 }, syntheticRecords({ seed: 5, series: 9 }));
    // 1,000 records while AWS is up, one chunk it refuses, then 1,500 read while it is down.
    const { source, next } = inSteps(records, [1_000, 1_500]);
    const { clock, run, until } = await start(source, {
      ...base,
      route: 'failover',
      stateDir: await stateDir(),
      publisherFor,
    });
    await until('the first 1,000 records accepted', (s) => accepted(s, ...ORIGINS) === 1_000);
    awsDown = true;
    next();
    await until('AWS to be marked down', (s) => s.perCloud.aws?.healthy === false);
    next();
    await until('every record read', (s) => s.read === 3_000);
    awsDown = false;
    // Only AWS's retries come due: the drain and publish timeouts never end.
    const stats = await runOut(clock, run, 100);

    expect(stats.delivered).toBe(true);
    const all = ORIGINS.flatMap((o) => received[o]);
    expect(all.length).toBe(3_000);
    expect(new Set(all).size).toBe(3_000);
    const awsHome = (from: number, to: number) =>
      records
        .slice(from, to)
        .filter((r) => homeCloud(r.series) === 'aws')
        .map(key)
        .sort();
    // What AWS was sent before it refused stays with it (it may have arrived); what was read after goes elsewhere.
    expect([...received.aws].sort()).toEqual(awsHome(0, 1_500));
    const readWhileDown = new Set(awsHome(1_500, 3_000));
    expect([...received.gcp, ...received.azure].filter((k) => readWhileDown.has(k)).sort()).toEqual([
      ...readWhileDown,
    ]);
    expect(stats.perCloud.aws).toMatchObject({ failures: 1, rerouted: 0, healthy: true });
  });

  it('cancels a publish that outlives its timeout, and sends the same messages again', async () => {
    const { received, publisherFor: recording } = recorder();
    const { publisherFor, signals } = firstPublishHangs(recording, 'aws');
    const { clock, run } = await start(syntheticSource({ seed: 6, series: 9, records: 2_000 }), {
      ...base,
      lane: { ...base.lane, publishTimeoutMs: 50 },
      route: 'partition',
      stateDir: await stateDir(),
      publisherFor,
    });
    await eventually(
      async () => signals.length,
      (n) => n === 1,
      { what: 'the first AWS publish', intervalMs: 1 },
    );
    clock.advance(50);
    const stats = await runOut(clock, run, 20);
    expect(stats.delivered).toBe(true);
    expect(signals[0]?.aborted).toBe(true);
    expect(signals.length).toBeGreaterThan(1);
    const all = ORIGINS.flatMap((o) => received[o]);
    expect(new Set(all).size).toBe(2_000);
    expect(stats.perCloud.aws!.failures).toBe(1);
  });

  it('moves messages never attempted on a refusing cloud to the next healthy one, durably', async () => {
    const dir = await stateDir();
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let awsCalls = 0;
    const { received, publisherFor: recording } = recorder();
    const publisherFor = (cloud: Origin): Publisher => {
      const inner = recording(cloud);
      return {
        cloud,
        async publish(messages) {
          if (cloud === 'aws' && ++awsCalls === 1) {
            // The first publish hangs while more chunks queue up behind it, then the connection is refused.
            await held;
            throw refused();
          }
          await inner.publish(messages);
        },
        close: inner.close,
      };
    };
    const { clock, run, until } = await start(syntheticSource({ seed: 8, series: 9, records: 10_000 }), {
      ...base,
      route: 'failover',
      stateDir: dir,
      publisherFor,
    });
    await until('every record read', (s) => s.read === 10_000);
    release();
    const stats = await runOut(clock, run, 100);
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
    const { clock, run, until } = await start(syntheticSource({ seed: 9, series: 9, records: 10_000 }), {
      ...base,
      lane: { ...base.lane, publishTimeoutMs: 200 },
      route: 'failover',
      stateDir: await stateDir(),
      publisherFor,
    });
    // Everything is read while AWS's first publish hangs: the chunks after the first queue up behind it, unattempted.
    await until('every record read', (s) => s.read === 10_000);
    clock.advance(200);
    const stats = await runOut(clock, run, 100);
    expect(stats.delivered).toBe(true);
    expect(stats.perCloud.aws!.rerouted).toBeGreaterThan(0);
    const all = ORIGINS.flatMap((o) => received[o]);
    expect(all.length).toBe(10_000);
    expect(new Set(all).size).toBe(10_000);
  });

  it('stops reading on the signal and keeps everything read in the spool or sent', async () => {
    const { received, publisherFor } = recorder();
    const { run, until, stop } = await start(syntheticSource({ seed: 6, series: 4 }), {
      ...base,
      route: 'partition',
      stateDir: await stateDir(),
      publisherFor,
    });
    await until('5,000 records read', (s) => s.read >= 5_000);
    stop();
    const stats = await run;
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
    const home = homeCloud('A');
    const first = recorder((c) => (homeDown && c === home ? refused() : undefined));
    const second = recorder();
    const options = { ...base, route: 'partition' as const, stateDir: dir, abortGraceMs: 50 };

    const one = await start(source, { ...options, publisherFor: first.publisherFor });
    await one.until('six records read', (s) => s.read === 6);
    // The open chunk's deadline: it commits and is sent.
    one.clock.advance(200);
    await one.until(homeDown ? 'the home cloud to refuse' : 'the six records accepted', (s) =>
      homeDown ? (s.perCloud[home]?.failures ?? 0) > 0 : accepted(s, home) === 6,
    );
    one.stop();
    const oneStats = await runOut(one.clock, one.run);

    const two = await start(source, { ...options, publisherFor: second.publisherFor });
    await two.until('two records read', (s) => s.read === 2);
    two.clock.advance(200);
    await two.until(
      'the new record and any replayed accepted',
      (s) => accepted(s, home) === (homeDown ? 7 : 1),
    );
    two.stop();
    const twoStats = await runOut(two.clock, two.run);

    expect(oneStats.delivered).toBe(!homeDown);
    expect(twoStats).toMatchObject({ read: 2, duplicates: 1, delivered: true });
    const all = [first, second].flatMap((r) => ORIGINS.flatMap((o) => r.received[o]));
    expect(all.sort()).toEqual(['A#1', 'A#2', 'A#3', 'A#4', 'A#5', 'A#6', 'A#7']);
  });

  it('names a damaged state directory and the way out, instead of starting on half of it', async () => {
    const dir = await stateDir();
    await writeFile(path.join(dir, 'journal.log'), 'c\t{"rejectsBytes":0\n');
    const { publisherFor } = recorder();
    await expect(
      runFrozen(syntheticSource({ seed: 1, series: 1, records: 10 }), {
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
    const one = await start(source, options);
    await one.until('both rejects read', (s) => s.rejected === 2);
    one.stop();
    await one.run;
    const two = await start(source, options);
    await eventually(
      async () => resumedFrom.length,
      (n) => n === 2,
      { what: 'the source to start again', intervalMs: 1 },
    );
    two.stop();
    await two.run;
    expect(resumedFrom).toEqual([undefined, '3']);
    const rejects = (await readFile(path.join(dir, 'rejects.ndjson'), 'utf8')).trim().split('\n');
    expect(rejects.map((l) => JSON.parse(l).line)).toEqual([2, 3]);
  });
});
