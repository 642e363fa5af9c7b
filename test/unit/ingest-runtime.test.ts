/**
 * The ingest runtime the three entry points share, with the in-memory store standing in for a store that refuses
 * a write for good: the metric line names why messages failed, and the Azure handler — whose retry loop never
 * gives up on a failed message — dead-letters a permanently refused message with its reason instead of looping.
 */
import { InvocationContext } from '@azure/functions';
import { afterEach, describe, expect, it } from 'vitest';
import { eventHubsIngest } from '../../functions/azure/ingest.ts';
import { ingestRuntime } from '../../functions/ingest-runtime.ts';
import { encodeMessage, PermanentStoreError } from '../../shared/core/index.ts';
import { MemoryStore } from '../../shared/core/testing/index.ts';
import { readInvocationLog } from '../../shared/observability/invocation-log.ts';
import { LOG_SINK, type LogSink } from '../../shared/observability/log.ts';
import { record } from '../helpers/records.ts';

const tooLarge = () =>
  new PermanentStoreError(
    'too-large',
    'writing document S|1m|0 at revision 0: Cosmos DB refused the item as too large (413).',
  );

/** The runtime's log lines, read back as a metrics service would. */
function captureLines() {
  const lines: string[] = [];
  (globalThis as { [LOG_SINK]?: LogSink })[LOG_SINK] = (_level, line) => lines.push(line);
  return () => lines.map((line) => readInvocationLog(line)!);
}

afterEach(() => {
  delete (globalThis as { [LOG_SINK]?: LogSink })[LOG_SINK];
});

describe('the Azure ingest handler', () => {
  it('dead-letters a message the store refused for good, with the reason, instead of retrying it forever', async () => {
    const store = new MemoryStore();
    const deadLetters = new MemoryStore();
    store.injectFailures(tooLarge());
    const lines = captureLines();
    const handler = eventHubsIngest(
      ingestRuntime('azure', () => ({ store, deadLetters }), { onPermanentFailure: 'dead-letter' }),
    );
    const body = encodeMessage('run-1', [record({ seq: 1 })]);
    const context = new InvocationContext({
      invocationId: 'inv-1',
      triggerMetadata: { sequenceNumberArray: [7], partitionContext: { partitionId: '0' } },
    });

    await handler([body], context);

    const letter = deadLetters.deadLetters.get('0:7');
    expect(letter).toMatchObject({ messageId: '0:7', origin: 'azure', payload: body });
    expect(letter?.reason).toMatch(/too-large/);
    expect(letter?.reason).toMatch(/Cosmos DB refused the item as too large \(413\)/);
    const [line, ...more] = lines();
    expect(more).toEqual([]);
    expect(line?.metrics).toMatchObject({ failedMessages: 0, failedPermanently: 1 });
    expect(line?.failureReasons).toEqual({ 'too-large': 1 });
    expect(line?.firstError).toMatch(/^PermanentStoreError: .*too large/);
  }, 10_000);

  it('still retries a transient failure until the message is stored', async () => {
    const store = new MemoryStore();
    const deadLetters = new MemoryStore();
    store.down = true;
    const lines: string[] = [];
    // The store comes back once the first attempt has failed and logged.
    (globalThis as { [LOG_SINK]?: LogSink })[LOG_SINK] = (_level, line) => {
      lines.push(line);
      store.down = false;
    };
    const handler = eventHubsIngest(
      ingestRuntime('azure', () => ({ store, deadLetters }), { onPermanentFailure: 'dead-letter' }),
    );
    const context = new InvocationContext({
      invocationId: 'inv-2',
      triggerMetadata: { sequenceNumberArray: [8] },
    });

    await handler([encodeMessage('run-1', [record({ seq: 2 })])], context);

    expect(deadLetters.deadLetters.size).toBe(0);
    expect(store.docs.size).toBeGreaterThan(0);
    const [failed, stored, ...more] = lines.map((line) => readInvocationLog(line)!);
    expect(more).toEqual([]);
    expect(failed?.failureReasons).toEqual({ transient: 1 });
    expect(failed?.firstError).toMatch(/^UnavailableError: /);
    expect(failed?.metrics).toMatchObject({ failedMessages: 1, failedPermanently: 0 });
    expect(stored?.metrics).toMatchObject({ failedMessages: 0, added: 1 });
    expect(stored?.failureReasons).toBeUndefined();
  }, 10_000);
});

describe('the runtime on the platforms with their own dead-letter path', () => {
  it('reports a permanently refused message failed, for SQS redrive or the Pub/Sub dead-letter topic, naming why', async () => {
    const store = new MemoryStore();
    const deadLetters = new MemoryStore();
    store.injectFailures(tooLarge());
    const lines = captureLines();
    const ingest = ingestRuntime('aws', () => ({ store, deadLetters }));

    const result = await ingest([{ id: 'm1', body: encodeMessage('run-1', [record({ seq: 1 })]) }]);

    expect(result.failedMessageIds).toEqual(['m1']);
    expect(result.failures).toEqual([expect.objectContaining({ messageId: 'm1', permanent: 'too-large' })]);
    expect(deadLetters.deadLetters.size).toBe(0);
    const [line] = lines();
    expect(line?.metrics).toMatchObject({ failedMessages: 1, failedPermanently: 1 });
    expect(line?.failureReasons).toEqual({ 'too-large': 1 });
    expect(line?.entry.failures).toEqual([
      expect.objectContaining({ messageId: 'm1', permanent: 'too-large' }),
    ]);
    expect(line?.entry.level).toBe('WARN');
  });
});

describe('a crashed invocation', () => {
  it('logs its error on its metric line, then fails as before', async () => {
    const lines = captureLines();
    const ingest = ingestRuntime('gcp', () => {
      throw new Error('TRICLOUD_FIRESTORE_AGGREGATES_COLLECTION is not set');
    });
    await expect(ingest([{ id: 'm1', body: '{}' }], { invocationId: 'ev-1' })).rejects.toThrow(/is not set/);
    const [line] = lines();
    expect(line?.metrics).toMatchObject({ crashed: 1, messages: 1 });
    expect(line?.message).toBe('ingest crashed');
    expect(JSON.stringify(line?.entry)).toContain('is not set');
  });
});
