/**
 * Event Hubs as status sees it: each partition's last enqueued sequence number from the hub's management plane,
 * against the consumer group's checkpoints when a checkpoint store is given. The Functions host keeps checkpoints
 * in its storage account (which the env contract does not name), and the local host in its own memory, so without a
 * store status shows the partitions only. Event Hubs has no dead-letter queue: what the store refused for good goes
 * to the Cosmos DB dead-letter container, and is counted there.
 */
import { type Checkpoint, type CheckpointStore, EventHubProducerClient } from '@azure/event-hubs';
import type { AzureSettings } from '../../shared/clouds/settings.ts';
import type { PartitionBacklog } from './status-model.ts';
import type { TransportProbe } from './transport-aws.ts';

export interface PartitionEnd {
  partitionId: string;
  lastEnqueuedSequenceNumber: number;
  beginningSequenceNumber: number;
  isEmpty: boolean;
}

/**
 * Events after each partition's checkpoint. A partition with no checkpoint yet is behind by every event it retains
 * (the consumer starts from the earliest); without a checkpoint store nothing is said of either.
 */
export function partitionBacklogs(
  partitions: readonly PartitionEnd[],
  checkpoints: readonly Checkpoint[] | undefined,
): PartitionBacklog[] {
  const byPartition = new Map(checkpoints?.map((c) => [c.partitionId, c.sequenceNumber]));
  return [...partitions]
    .sort(
      (a, b) => Number(a.partitionId) - Number(b.partitionId) || a.partitionId.localeCompare(b.partitionId),
    )
    .map((p) => {
      const line: PartitionBacklog = { partition: p.partitionId, lastEnqueued: p.lastEnqueuedSequenceNumber };
      if (checkpoints === undefined) return line;
      const checkpoint = byPartition.get(p.partitionId);
      if (checkpoint !== undefined)
        return { ...line, checkpoint, behind: Math.max(0, p.lastEnqueuedSequenceNumber - checkpoint) };
      const retained = p.isEmpty ? 0 : p.lastEnqueuedSequenceNumber - p.beginningSequenceNumber + 1;
      return { ...line, behind: retained };
    });
}

export function azureTransportProbe(
  settings: AzureSettings,
  checkpointStore?: CheckpointStore,
): TransportProbe {
  const client = new EventHubProducerClient(settings.eventHubConnectionString, settings.eventHubName);
  return {
    async check(signal) {
      const { partitionIds } = await client.getEventHubProperties({ abortSignal: signal });
      const [ends, checkpoints] = await Promise.all([
        Promise.all(partitionIds.map((id) => client.getPartitionProperties(id, { abortSignal: signal }))),
        checkpointStore?.listCheckpoints(
          client.fullyQualifiedNamespace,
          client.eventHubName,
          settings.consumerGroup,
        ),
      ]);
      const partitions = partitionBacklogs(ends, checkpoints);
      return {
        kind: 'Event Hubs',
        partitions,
        ...(checkpoints ? { backlog: partitions.reduce((sum, p) => sum + (p.behind ?? 0), 0) } : {}),
      };
    },
    close: () => client.close(),
  };
}

/** What Azure (or the local servers standing in for it) cannot tell status. */
export function azureNotes(local: boolean, hasCheckpoints: boolean): string[] {
  return [
    ...(hasCheckpoints
      ? []
      : [
          local
            ? "backlog: the local Event Hubs host keeps its checkpoints in its own memory; only each partition's last sequence number is shown"
            : "backlog: the Functions host keeps its checkpoints in its storage account, which the env contract does not name; only each partition's last sequence number is shown",
        ]),
    'dead-letter queue: Event Hubs has none; messages the store refused for good go to the Cosmos DB dead-letter container and are counted from it',
    local
      ? 'function errors: a local server has no Azure Monitor (the local trigger host counts failed messages in tricloud dev)'
      : 'function failures are Azure Monitor (Application Insights) metrics, which status does not read',
  ];
}
