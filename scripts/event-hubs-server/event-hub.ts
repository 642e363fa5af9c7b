/** One event hub: its partitions, its consumer groups, and how an event without a partition id picks a partition. */

import { partitionIndexForKey } from './partition-key-hash.ts';
import { PartitionLog } from './partition-log.ts';

export interface EventHubSpec {
  name: string;
  partitions: number;
  consumerGroups: string[];
}

/** Every event hub has this consumer group, whatever else it declares. */
export const defaultConsumerGroup = '$default';

export class EventHub {
  readonly name: string;
  readonly createdAt = new Date();
  readonly partitions: readonly PartitionLog[];
  readonly #consumerGroups: Set<string>;
  #nextRoundRobinIndex = 0;

  constructor(spec: EventHubSpec, retentionPerPartition: number) {
    if (!Number.isInteger(spec.partitions) || spec.partitions < 1 || spec.partitions > 1024) {
      throw new RangeError(`Event hub '${spec.name}' needs 1 to 1024 partitions, got ${spec.partitions}.`);
    }
    this.name = spec.name;
    this.partitions = Array.from(
      { length: spec.partitions },
      (_, index) => new PartitionLog(String(index), retentionPerPartition),
    );
    // Event Hubs compares consumer group names without regard to case.
    this.#consumerGroups = new Set(
      [defaultConsumerGroup, ...spec.consumerGroups].map((group) => group.toLowerCase()),
    );
  }

  get partitionIds(): string[] {
    return this.partitions.map((partition) => partition.id);
  }

  hasConsumerGroup(name: string): boolean {
    return this.#consumerGroups.has(name.toLowerCase());
  }

  partition(id: string): PartitionLog | undefined {
    return /^\d+$/.test(id) ? this.partitions[Number(id)] : undefined;
  }

  /** A keyed event goes where its key hashes to; an event without a key goes to the next partition in turn. */
  partitionFor(partitionKey: string | undefined): PartitionLog {
    const index =
      partitionKey === undefined
        ? this.#nextRoundRobinIndex++ % this.partitions.length
        : partitionIndexForKey(partitionKey, this.partitions.length);
    const partition = this.partitions[index];
    if (partition === undefined) throw new Error(`Event hub '${this.name}' has no partition ${index}.`);
    return partition;
  }
}
