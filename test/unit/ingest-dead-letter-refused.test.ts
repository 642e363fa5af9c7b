/**
 * Ingest with `onPermanentFailure: 'dead-letter'` (Azure, where nothing else would ever take the message): a store
 * that refuses for good, on the read as well as on the write, dead-letters the whole message with the reason and
 * reports it done, so the Event Hubs handler's retry loop does not spin on it.
 */
import { describe, expect, it } from 'vitest';
import {
  type AggregateStore,
  createIngest,
  type DeadLetter,
  encodeMessage,
  PermanentStoreError,
  parseWindows,
} from '../../shared/core/index.ts';
import { MemoryStore, SteppingClock } from '../../shared/core/testing/index.ts';

const record = { series: 'BTCUSDT', seq: 1, ts: 1_700_000_000_000, value: 10, qty: 1 };
const refusal = () => new PermanentStoreError('missing', 'the container does not exist');

/** A store whose reads are refused for good, as a missing Cosmos DB container's are. */
class RefusingReads extends MemoryStore {
  override async read(): Promise<never> {
    throw refusal();
  }
}

async function ingestWith(store: AggregateStore) {
  const letters: DeadLetter[] = [];
  const ingest = createIngest(
    { store, deadLetters: { put: async (l) => void letters.push(...l) }, clock: new SteppingClock() },
    { origin: 'azure', windows: parseWindows('1m'), onPermanentFailure: 'dead-letter' },
  );
  const result = await ingest([{ id: '0:7', body: encodeMessage('b', [record]) }]);
  return { result, letters };
}

describe('a message the store refuses for good, dead-lettered whole', () => {
  it.each([
    [
      'on the write',
      () => {
        const store = new MemoryStore();
        store.injectFailures(refusal());
        return store;
      },
    ],
    ['on the read', () => new RefusingReads()],
  ])('%s', async (_, storeOf) => {
    const { result, letters } = await ingestWith(storeOf());
    expect(result.failedMessageIds).toEqual([]);
    expect(letters).toMatchObject([
      {
        id: '0:7',
        messageId: '0:7',
        reason: expect.stringMatching(/^the store refused it for good \(missing\): /),
      },
    ]);
    expect(result.report.deadLetters).toBe(1);
  });
});
