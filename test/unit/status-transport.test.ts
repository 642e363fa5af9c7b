/** Event Hubs backlog per partition from the hub's ends and the consumer group's checkpoints. */
import { describe, expect, it } from 'vitest';
import { partitionBacklogs } from '../../scripts/status/transport-azure.ts';

const end = (partitionId: string, last: number, beginning = 0) => ({
  partitionId,
  lastEnqueuedSequenceNumber: last,
  beginningSequenceNumber: beginning,
  isEmpty: last < 0,
});
const checkpoint = (partitionId: string, sequenceNumber: number) => ({
  fullyQualifiedNamespace: 'ns',
  eventHubName: 'hub',
  consumerGroup: '$Default',
  partitionId,
  sequenceNumber,
  offset: String(sequenceNumber),
});

describe('partitionBacklogs', () => {
  it('says only the last sequence numbers, in partition order, without a checkpoint store', () => {
    expect(partitionBacklogs([end('10', 4), end('2', -1), end('1', 7)], undefined)).toEqual([
      { partition: '1', lastEnqueued: 7 },
      { partition: '2', lastEnqueued: -1 },
      { partition: '10', lastEnqueued: 4 },
    ]);
  });

  it('counts the events after each checkpoint, and every retained event where there is none yet', () => {
    expect(
      partitionBacklogs(
        [end('0', 41), end('1', 39, 10), end('2', -1), end('3', 5)],
        [checkpoint('0', 40), checkpoint('3', 5)],
      ),
    ).toEqual([
      { partition: '0', lastEnqueued: 41, checkpoint: 40, behind: 1 },
      { partition: '1', lastEnqueued: 39, behind: 30 },
      { partition: '2', lastEnqueued: -1, behind: 0 },
      { partition: '3', lastEnqueued: 5, checkpoint: 5, behind: 0 },
    ]);
  });
});
