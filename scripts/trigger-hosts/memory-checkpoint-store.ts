/**
 * An in-memory Event Hubs `CheckpointStore` for the local host: ownership and checkpoints per consumer group and
 * partition, with ETags so ownership claims are optimistic like the Blob-backed store Azure uses.
 */
import { randomUUID } from 'node:crypto';
import type { Checkpoint, CheckpointStore, PartitionOwnership } from '@azure/event-hubs';

export class MemoryCheckpointStore implements CheckpointStore {
  readonly #ownership = new Map<string, PartitionOwnership>();
  readonly #checkpoints = new Map<string, Checkpoint>();

  async listOwnership(ns: string, hub: string, group: string): Promise<PartitionOwnership[]> {
    return [...this.#ownership.values()].filter(
      (o) => o.fullyQualifiedNamespace === ns && o.eventHubName === hub && o.consumerGroup === group,
    );
  }

  async claimOwnership(claims: PartitionOwnership[]): Promise<PartitionOwnership[]> {
    const claimed: PartitionOwnership[] = [];
    for (const claim of claims) {
      const key = keyOf(claim);
      const current = this.#ownership.get(key);
      if (current && current.etag !== claim.etag) continue;
      const owned = { ...claim, etag: randomUUID(), lastModifiedTimeInMs: Date.now() };
      this.#ownership.set(key, owned);
      claimed.push(owned);
    }
    return claimed;
  }

  async listCheckpoints(ns: string, hub: string, group: string): Promise<Checkpoint[]> {
    return [...this.#checkpoints.values()].filter(
      (c) => c.fullyQualifiedNamespace === ns && c.eventHubName === hub && c.consumerGroup === group,
    );
  }

  async updateCheckpoint(checkpoint: Checkpoint): Promise<void> {
    this.#checkpoints.set(keyOf(checkpoint), { ...checkpoint });
  }
}

function keyOf(p: {
  fullyQualifiedNamespace: string;
  eventHubName: string;
  consumerGroup: string;
  partitionId: string;
}) {
  return `${p.fullyQualifiedNamespace}/${p.eventHubName}/${p.consumerGroup}/${p.partitionId}`;
}
