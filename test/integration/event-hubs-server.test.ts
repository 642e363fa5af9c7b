/**
 * Our local Event Hubs server, driven only through the official `@azure/event-hubs` clients: what works here is what
 * the Azure trigger host and the producers can rely on locally.
 */
import {
  type EventData,
  EventHubBufferedProducerClient,
  EventHubConsumerClient,
  EventHubProducerClient,
  type EventPosition,
  earliestEventPosition,
  latestEventPosition,
  type ReceivedEventData,
  type SubscribeOptions,
} from '@azure/event-hubs';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { type RunningEventHubsServer, startEventHubsServer } from '../../scripts/event-hubs-server/index.ts';
import { waitUntil } from '../../scripts/machine/wait-until.ts';

const pollTimeoutMs = 15_000;

/** Polls `probe` until it returns a value, or fails once `pollTimeoutMs` has passed: tests never sleep to synchronise. */
function pollFor<T>(what: string | (() => string), probe: () => T | undefined, intervalMs = 20): Promise<T> {
  return waitUntil(async () => probe(), {
    description: typeof what === 'string' ? what : what(),
    lastSeen: typeof what === 'string' ? undefined : what,
    timeoutMs: pollTimeoutMs,
    intervalMs,
  });
}
/** Short waits keep the consumer's empty polls, and so the tests, quick. */
const subscribeDefaults: SubscribeOptions = { maxWaitTimeInSeconds: 1, maxBatchSize: 50 };

interface Closable {
  close(): Promise<void>;
}

const openClients: Closable[] = [];

function track<T extends Closable>(client: T): T {
  openClients.push(client);
  return client;
}

async function closeTrackedClients(): Promise<void> {
  await Promise.all(openClients.splice(0).map((client) => client.close()));
}

afterEach(closeTrackedClients);

function producerFor(server: RunningEventHubsServer, hub: string): EventHubProducerClient {
  return track(new EventHubProducerClient(server.connectionString(hub)));
}

function consumerFor(
  server: RunningEventHubsServer,
  hub: string,
  group = '$default',
): EventHubConsumerClient {
  return track(new EventHubConsumerClient(group, server.connectionString(hub)));
}

function bodies(events: readonly ReceivedEventData[]): unknown[] {
  return events.map((event) => event.body);
}

interface PartitionReading {
  events: ReceivedEventData[];
  /** How many times the consumer has handed over a batch, empty or not: a first call means its link is attached. */
  batches: number;
  errors: Error[];
}

/** Subscribes to one partition and keeps what arrives; the subscription closes with the clients after the test. */
function readPartition(
  consumer: EventHubConsumerClient,
  partitionId: string,
  startPosition: EventPosition,
  options: SubscribeOptions = {},
): PartitionReading {
  const reading: PartitionReading = { events: [], batches: 0, errors: [] };
  const subscription = consumer.subscribe(
    partitionId,
    {
      processEvents: async (events) => {
        reading.events.push(...events);
        reading.batches += 1;
      },
      processError: async (error) => {
        reading.errors.push(error);
      },
    },
    { ...subscribeDefaults, ...options, startPosition },
  );
  track(subscription);
  return reading;
}

function untilEvents(reading: PartitionReading, count: number): Promise<ReceivedEventData[]> {
  return pollFor(
    () => `${count} events (got ${reading.events.length})`,
    () => (reading.events.length >= count ? reading.events : undefined),
  );
}

/** Reads `count` events from `partitionId` starting at `startPosition`. */
async function receive(
  consumer: EventHubConsumerClient,
  partitionId: string,
  startPosition: EventPosition,
  count: number,
): Promise<ReceivedEventData[]> {
  return untilEvents(readPartition(consumer, partitionId, startPosition), count);
}

function textEvents(prefix: string, count: number): EventData[] {
  return Array.from({ length: count }, (_, index) => ({ body: `${prefix}${index}` }));
}

describe('local Event Hubs server', () => {
  let server: RunningEventHubsServer;

  beforeAll(async () => {
    server = await startEventHubsServer({
      port: 0,
      hubs: [
        { name: 'properties', partitions: 3, consumerGroups: [] },
        { name: 'keyed', partitions: 4, consumerGroups: [] },
        { name: 'keyed-buffered', partitions: 4, consumerGroups: [] },
        { name: 'round-robin', partitions: 2, consumerGroups: [] },
        { name: 'batches', partitions: 2, consumerGroups: [] },
        { name: 'explicit', partitions: 3, consumerGroups: [] },
        { name: 'positions', partitions: 1, consumerGroups: [] },
        { name: 'timeline', partitions: 1, consumerGroups: [] },
        { name: 'live', partitions: 1, consumerGroups: [] },
        { name: 'flow', partitions: 1, consumerGroups: [] },
        { name: 'groups', partitions: 2, consumerGroups: ['audit'] },
        { name: 'owned', partitions: 1, consumerGroups: [] },
        { name: 'metrics', partitions: 1, consumerGroups: [] },
        { name: 'limits', partitions: 2, consumerGroups: [] },
      ],
    });
  });

  afterAll(async () => {
    await server?.close();
  });

  describe('management', () => {
    test('reports the hub name, creation time and partition ids', async () => {
      const producer = producerFor(server, 'properties');

      const properties = await producer.getEventHubProperties();

      expect(properties.name).toBe('properties');
      expect(properties.partitionIds).toEqual(['0', '1', '2']);
      expect(properties.createdOn).toBeInstanceOf(Date);
      expect(properties.createdOn.getTime()).toBeLessThanOrEqual(Date.now());
    });

    test('reports an untouched partition as empty and a written one with its last event', async () => {
      const producer = producerFor(server, 'properties');
      const consumer = consumerFor(server, 'properties');

      await producer.sendBatch(textEvents('p', 2), { partitionId: '1' });
      const empty = await producer.getPartitionProperties('0');
      const written = await producer.getPartitionProperties('1');
      const [, last] = await receive(consumer, '1', earliestEventPosition, 2);

      expect(empty).toMatchObject({ partitionId: '0', eventHubName: 'properties', isEmpty: true });
      expect(empty.lastEnqueuedSequenceNumber).toBe(-1);
      expect(written).toMatchObject({
        partitionId: '1',
        isEmpty: false,
        beginningSequenceNumber: 0,
        lastEnqueuedSequenceNumber: 1,
        lastEnqueuedOffset: last?.offset,
      });
      expect(written.lastEnqueuedOnUtc.getTime()).toBe(last?.enqueuedTimeUtc.getTime());
    });
  });

  describe('sending', () => {
    test('puts every event with the same partition key on one partition, with the key on each event', async () => {
      const producer = producerFor(server, 'keyed');
      const consumer = consumerFor(server, 'keyed');
      for (const round of [0, 1, 2]) {
        await producer.sendBatch([{ body: `alpha-${round}` }], { partitionKey: 'alpha' });
        await producer.sendBatch([{ body: `beta-${round}` }], { partitionKey: 'beta' });
      }

      const partitionIds = await producer.getPartitionIds();
      const counts = await Promise.all(
        partitionIds.map(async (id) => {
          const properties = await producer.getPartitionProperties(id);
          return { id, count: properties.lastEnqueuedSequenceNumber + 1 };
        }),
      );
      const received = (
        await Promise.all(
          counts
            .filter(({ count }) => count > 0)
            .map(async ({ id, count }) => ({
              id,
              events: await receive(consumer, id, earliestEventPosition, count),
            })),
        )
      ).flatMap(({ id, events }) => events.map((event) => ({ id, event })));

      for (const key of ['alpha', 'beta']) {
        const withKey = received.filter(({ event }) => event.partitionKey === key);
        expect(withKey.map(({ event }) => event.body)).toEqual([`${key}-0`, `${key}-1`, `${key}-2`]);
        expect(new Set(withKey.map(({ id }) => id)).size).toBe(1);
      }
      expect(received).toHaveLength(6);
    });

    test('places a keyed event where Azure does, as the buffered producer computes it on the client', async () => {
      const producer = producerFor(server, 'keyed-buffered');
      const buffered = track(
        new EventHubBufferedProducerClient(server.connectionString('keyed-buffered'), {
          onSendEventsErrorHandler: () => {},
        }),
      );
      const before = await Promise.all(['0', '1', '2', '3'].map((id) => producer.getPartitionProperties(id)));

      await producer.sendBatch([{ body: 'server-hashed' }], { partitionKey: 'meter-17' });
      await buffered.enqueueEvent({ body: 'client-hashed' }, { partitionKey: 'meter-17' });
      await buffered.flush();
      const after = await Promise.all(['0', '1', '2', '3'].map((id) => producer.getPartitionProperties(id)));

      const growth = after.map(
        (partition, index) =>
          partition.lastEnqueuedSequenceNumber - (before[index]?.lastEnqueuedSequenceNumber ?? -1),
      );
      expect(growth.filter((added) => added !== 0)).toEqual([2]);
    });

    test('spreads sends without a key over the partitions in turn', async () => {
      const producer = producerFor(server, 'round-robin');

      for (const round of [0, 1, 2, 3]) await producer.sendBatch([{ body: `unkeyed-${round}` }]);
      const partitions = await Promise.all(['0', '1'].map((id) => producer.getPartitionProperties(id)));

      expect(partitions.map((partition) => partition.lastEnqueuedSequenceNumber + 1)).toEqual([2, 2]);
    });

    test('unpacks a batch into single events, in order, with consecutive sequence numbers', async () => {
      const producer = producerFor(server, 'batches');
      const consumer = consumerFor(server, 'batches');
      const batch = await producer.createBatch({ partitionId: '1' });
      for (let index = 0; index < 5; index++) {
        expect(batch.tryAdd({ body: { index }, properties: { kind: 'reading', index } })).toBe(true);
      }

      await producer.sendBatch(batch);
      await producer.sendBatch(textEvents('second-', 2), { partitionId: '1' });
      const events = await receive(consumer, '1', earliestEventPosition, 7);

      expect(bodies(events)).toEqual([
        ...[0, 1, 2, 3, 4].map((index) => ({ index })),
        'second-0',
        'second-1',
      ]);
      expect(events.map((event) => event.sequenceNumber)).toEqual([0, 1, 2, 3, 4, 5, 6]);
      expect(events[3]?.properties).toEqual({ kind: 'reading', index: 3 });
      const offsets = events.map((event) => Number(event.offset));
      expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
      expect(new Set(offsets).size).toBe(7);
    });

    test('sends to the partition the producer names and to no other', async () => {
      const producer = producerFor(server, 'explicit');
      const consumer = consumerFor(server, 'explicit');

      await producer.sendBatch(textEvents('to-two-', 3), { partitionId: '2' });
      const partitions = await Promise.all(['0', '1', '2'].map((id) => producer.getPartitionProperties(id)));
      const events = await receive(consumer, '2', earliestEventPosition, 3);

      expect(partitions.map((partition) => partition.isEmpty)).toEqual([true, true, false]);
      expect(bodies(events)).toEqual(['to-two-0', 'to-two-1', 'to-two-2']);
    });
  });

  describe('size limits (Standard tier: 1 MB per event and per publish)', () => {
    const limitBytes = 1_048_576;
    const refusal = {
      code: 'MessageTooLargeError',
      retryable: false,
      message: expect.stringMatching(/exceeds the limit \(1048576 bytes\) currently allowed on the link/),
    };

    test('refuses an event over 1 MB with the error Azure returns, and stores nothing of it', async () => {
      const producer = producerFor(server, 'limits');

      await expect(
        producer.sendBatch([{ body: new Uint8Array(limitBytes + 1) }], { partitionId: '0' }),
      ).rejects.toMatchObject(refusal);
      expect((await producer.getPartitionProperties('0')).isEmpty).toBe(true);
    });

    test('refuses a publish of events each under 1 MB that together exceed it, as a whole', async () => {
      const producer = producerFor(server, 'limits');
      const events = Array.from({ length: 20 }, () => ({ body: new Uint8Array(60_000) }));

      await expect(producer.sendBatch(events, { partitionId: '0' })).rejects.toMatchObject(refusal);
      expect((await producer.getPartitionProperties('0')).isEmpty).toBe(true);
    });

    test('accepts a batch the SDK filled up to the 1 MB the link reports', async () => {
      const producer = producerFor(server, 'limits');
      const batch = await producer.createBatch({ partitionId: '1' });
      while (batch.tryAdd({ body: new Uint8Array(10_000) }));

      await producer.sendBatch(batch);
      const properties = await producer.getPartitionProperties('1');

      expect(batch.maxSizeInBytes).toBe(limitBytes);
      expect(batch.sizeInBytes).toBeGreaterThan(limitBytes - 10_100);
      expect(properties.lastEnqueuedSequenceNumber + 1).toBe(batch.count);
    });
  });

  describe('receiving', () => {
    let stored: ReceivedEventData[];

    beforeAll(async () => {
      try {
        await producerFor(server, 'positions').sendBatch(textEvents('e', 5));
        stored = await receive(consumerFor(server, 'positions'), '0', earliestEventPosition, 5);
      } finally {
        await closeTrackedClients();
      }
    });

    const offsetOf = (index: number): string => stored[index]?.offset ?? 'missing';
    const sequenceOf = (index: number): number => stored[index]?.sequenceNumber ?? -1;

    test.each<[string, () => EventPosition, number]>([
      ['earliest', () => earliestEventPosition, 0],
      ['an offset, inclusive', () => ({ offset: offsetOf(2), isInclusive: true }), 2],
      ['an offset, exclusive', () => ({ offset: offsetOf(2) }), 3],
      ['a sequence number, inclusive', () => ({ sequenceNumber: sequenceOf(1), isInclusive: true }), 1],
      ['a sequence number, exclusive', () => ({ sequenceNumber: sequenceOf(1) }), 2],
    ])('starts from %s', async (_name, position, firstIndex) => {
      const consumer = consumerFor(server, 'positions');

      const events = await receive(consumer, '0', position(), stored.length - firstIndex);

      expect(bodies(events)).toEqual(bodies(stored.slice(firstIndex)));
      expect(events[0]?.offset).toBe(offsetOf(firstIndex));
    });

    test('starts after an enqueued time', async () => {
      const producer = producerFor(server, 'timeline');
      const consumer = consumerFor(server, 'timeline');
      await producer.sendBatch(textEvents('before-', 2));
      const { lastEnqueuedOnUtc } = await producer.getPartitionProperties('0');
      // Events enqueued in the same millisecond share a time, so the later send waits for the clock to move on.
      await pollFor(
        'the clock to pass the last enqueued time',
        () => (Date.now() > lastEnqueuedOnUtc.getTime() ? true : undefined),
        1,
      );
      await producer.sendBatch(textEvents('after-', 2));

      const events = await receive(consumer, '0', { enqueuedOn: lastEnqueuedOnUtc }, 2);

      expect(bodies(events)).toEqual(['after-0', 'after-1']);
    });

    test('starts at the latest event: only what is sent after the consumer attached arrives', async () => {
      const producer = producerFor(server, 'live');
      const consumer = consumerFor(server, 'live');
      await producer.sendBatch(textEvents('old-', 3));
      const reading = readPartition(consumer, '0', latestEventPosition);
      await pollFor('the consumer to attach and report its first (empty) batch', () =>
        reading.batches > 0 ? true : undefined,
      );

      await producer.sendBatch(textEvents('new-', 2));
      const events = await untilEvents(reading, 2);

      expect(bodies(events)).toEqual(['new-0', 'new-1']);
      expect(events[0]?.sequenceNumber).toBe(3);
    });

    test('annotates each event with sequence number, string offset and enqueued time', () => {
      const [first] = stored;

      expect(first?.sequenceNumber).toBe(0);
      expect(typeof first?.offset).toBe('string');
      expect(first?.enqueuedTimeUtc).toBeInstanceOf(Date);
    });

    test('delivers far more events than the consumer grants credit for at once', async () => {
      const producer = producerFor(server, 'flow');
      const consumer = consumerFor(server, 'flow');
      const total = 300;
      const batch = await producer.createBatch();
      for (const event of textEvents('f', total)) expect(batch.tryAdd(event)).toBe(true);
      await producer.sendBatch(batch);

      const reading = readPartition(consumer, '0', earliestEventPosition, {
        maxBatchSize: 7,
        prefetchCount: 10,
      });
      const events = await untilEvents(reading, total);

      expect(events.map((event) => event.sequenceNumber)).toEqual(
        Array.from({ length: total }, (_, index) => index),
      );
    });

    test('gives every consumer group all the events', async () => {
      const producer = producerFor(server, 'groups');
      await producer.sendBatch(textEvents('g', 3), { partitionId: '1' });

      const [defaultGroup, audit] = await Promise.all([
        receive(consumerFor(server, 'groups'), '1', earliestEventPosition, 3),
        receive(consumerFor(server, 'groups', 'audit'), '1', earliestEventPosition, 3),
      ]);

      expect(bodies(defaultGroup)).toEqual(['g0', 'g1', 'g2']);
      expect(bodies(audit)).toEqual(['g0', 'g1', 'g2']);
    });
  });

  describe('exclusive receivers', () => {
    test('hands a partition to a higher owner level and disconnects the older receiver', async () => {
      const producer = producerFor(server, 'owned');
      const first = readPartition(consumerFor(server, 'owned'), '0', earliestEventPosition, {
        ownerLevel: 1,
      });
      await pollFor('the first receiver to attach', () => (first.batches > 0 ? true : undefined));

      const second = readPartition(consumerFor(server, 'owned'), '0', earliestEventPosition, {
        ownerLevel: 2,
      });
      const displaced = await pollFor('the first receiver to be disconnected', () => first.errors[0]);
      await producer.sendBatch(textEvents('owned-', 2));
      const events = await untilEvents(second, 2);

      expect(displaced).toMatchObject({ code: 'ReceiverDisconnectedError' });
      expect(bodies(events)).toEqual(['owned-0', 'owned-1']);
      expect(bodies(first.events)).not.toContain('owned-0');
    });
  });

  test('reports the last enqueued event to a consumer that tracks it', async () => {
    const producer = producerFor(server, 'metrics');
    const consumer = consumerFor(server, 'metrics');
    await producer.sendBatch(textEvents('m', 4));
    const seen: Array<number | undefined> = [];

    track(
      consumer.subscribe(
        '0',
        {
          processEvents: async (events, context) => {
            if (events.length > 0) seen.push(context.lastEnqueuedEventProperties?.sequenceNumber);
          },
          processError: async () => {},
        },
        {
          ...subscribeDefaults,
          startPosition: earliestEventPosition,
          trackLastEnqueuedEventProperties: true,
        },
      ),
    );
    const [lastSequenceNumber] = await pollFor('a batch with runtime metrics', () =>
      seen.length > 0 ? seen : undefined,
    );

    expect(lastSequenceNumber).toBe(3);
  });

  describe('errors', () => {
    test('answers an unknown hub with the SDK not-found error', async () => {
      const producer = producerFor(server, 'no-such-hub');

      await expect(producer.getEventHubProperties()).rejects.toMatchObject({
        code: 'MessagingEntityNotFoundError',
      });
      await expect(producer.sendBatch([{ body: 'lost' }])).rejects.toMatchObject({
        code: 'MessagingEntityNotFoundError',
      });
    });

    test('answers an unknown partition with an out-of-range error', async () => {
      const producer = producerFor(server, 'explicit');

      await expect(producer.getPartitionProperties('7')).rejects.toMatchObject({
        code: 'ArgumentOutOfRangeError',
      });
      await expect(producer.sendBatch([{ body: 'lost' }], { partitionId: '7' })).rejects.toMatchObject({
        code: 'ArgumentOutOfRangeError',
      });
    });

    test('tells a consumer of an unknown partition or consumer group why it gets nothing', async () => {
      const unknownPartition = readPartition(consumerFor(server, 'explicit'), '7', earliestEventPosition);
      const unknownGroup = readPartition(
        consumerFor(server, 'explicit', 'nobody'),
        '0',
        earliestEventPosition,
      );

      const [partitionError, groupError] = await Promise.all(
        [unknownPartition, unknownGroup].map((reading) =>
          pollFor('the consumer to report an error', () => reading.errors[0]),
        ),
      );

      expect(partitionError).toMatchObject({ code: 'ArgumentOutOfRangeError' });
      expect(groupError).toMatchObject({ code: 'MessagingEntityNotFoundError' });
    });
  });
});

describe('local Event Hubs server with a retention cap', () => {
  let server: RunningEventHubsServer;

  beforeAll(async () => {
    server = await startEventHubsServer({
      hubs: [{ name: 'capped', partitions: 1, consumerGroups: [] }],
      retentionPerPartition: 3,
    });
  });

  afterAll(async () => {
    await server?.close();
  });

  test('keeps only the newest events and moves the beginning sequence number on', async () => {
    const producer = producerFor(server, 'capped');
    const consumer = consumerFor(server, 'capped');

    await producer.sendBatch(textEvents('c', 5));
    const properties = await producer.getPartitionProperties('0');
    const events = await receive(consumer, '0', earliestEventPosition, 3);

    expect(properties.beginningSequenceNumber).toBe(2);
    expect(properties.lastEnqueuedSequenceNumber).toBe(4);
    expect(bodies(events)).toEqual(['c2', 'c3', 'c4']);
  });
});
