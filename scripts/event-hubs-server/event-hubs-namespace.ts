/** The event hubs one server hosts, and the lookups that turn a link's address into a partition or an AMQP error. */
import type { AmqpError } from 'rhea';
import { entityNotFound, partitionOutOfRange } from './amqp-errors.ts';
import { EventHub, type EventHubSpec } from './event-hub.ts';
import type { PartitionLog } from './partition-log.ts';

export type Lookup<T> = { found: T } | { error: AmqpError };

export class EventHubsNamespace {
  readonly #hubs = new Map<string, EventHub>();

  constructor(specs: readonly EventHubSpec[], retentionPerPartition: number) {
    for (const spec of specs) {
      // Event Hubs treats entity names without regard to case.
      const key = spec.name.toLowerCase();
      if (this.#hubs.has(key)) throw new Error(`Event hub '${spec.name}' is declared twice.`);
      this.#hubs.set(key, new EventHub(spec, retentionPerPartition));
    }
  }

  hub(name: string): Lookup<EventHub> {
    const hub = this.#hubs.get(name.toLowerCase());
    return hub ? { found: hub } : { error: entityNotFound(name) };
  }

  partition(hubName: string, partitionId: string): Lookup<{ hub: EventHub; partition: PartitionLog }> {
    const lookup = this.hub(hubName);
    if ('error' in lookup) return lookup;
    const hub = lookup.found;
    const partition = hub.partition(partitionId);
    if (!partition) return { error: partitionOutOfRange(hub.name, partitionId, hub.partitions.length) };
    return { found: { hub, partition } };
  }

  consumerPartition(
    hubName: string,
    consumerGroup: string,
    partitionId: string,
  ): Lookup<{ hub: EventHub; partition: PartitionLog }> {
    const lookup = this.partition(hubName, partitionId);
    if ('error' in lookup) return lookup;
    if (!lookup.found.hub.hasConsumerGroup(consumerGroup)) {
      return { error: entityNotFound(`${lookup.found.hub.name}/ConsumerGroups/${consumerGroup}`) };
    }
    return lookup;
  }
}
