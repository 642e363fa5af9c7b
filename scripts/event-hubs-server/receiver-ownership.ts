/**
 * Exclusive ("epoch") receivers. A consumer that sets an owner level (the SDK does whenever it has a checkpoint
 * store) owns its consumer group's partition: a receiver with an equal or higher level takes the partition over and
 * the older ones are disconnected; a lower level, or no level while an owner exists, is refused. `amqp:link:stolen`
 * is what Event Hubs sends in both cases, and the SDK reports it as `ReceiverDisconnectedError`.
 */
import type { AmqpError, Sender } from 'rhea';

export const epochProperty = 'com.microsoft:epoch';

interface Claim {
  sender: Sender;
  epoch: number | undefined;
}

export type ClaimOutcome =
  | { granted: true; displaced: Array<{ sender: Sender; error: AmqpError }> }
  | { granted: false; error: AmqpError };

function linkStolen(description: string): AmqpError {
  return { condition: 'amqp:link:stolen', description };
}

/** The owner level a receiver link asked for, if any. */
export function epochOf(sender: Sender): number | undefined {
  const value: unknown = sender.properties?.[epochProperty];
  if (value === undefined || value === null) return undefined;
  const epoch = Number(value);
  return Number.isFinite(epoch) ? epoch : undefined;
}

export class ReceiverOwnership {
  /** Active receivers per `<hub>/<consumer group>/<partition>`. */
  readonly #claims = new Map<string, Claim[]>();

  claim(partitionKey: string, sender: Sender, epoch: number | undefined): ClaimOutcome {
    const claims = this.#claims.get(partitionKey) ?? [];
    const owners = claims.filter((claim) => claim.epoch !== undefined);
    const highest = Math.max(...owners.map((claim) => claim.epoch ?? Number.NEGATIVE_INFINITY));
    if (epoch === undefined && owners.length > 0) {
      return {
        granted: false,
        error: linkStolen(
          `Partition ${partitionKey} is owned by a receiver with owner level ${highest}; set an owner level.`,
        ),
      };
    }
    if (epoch !== undefined && epoch < highest) {
      return {
        granted: false,
        error: linkStolen(
          `Partition ${partitionKey} is owned by a receiver with the higher owner level ${highest}.`,
        ),
      };
    }
    const takeOver = linkStolen(`A receiver with owner level ${epoch} took over partition ${partitionKey}.`);
    const displaced =
      epoch === undefined ? [] : claims.map((claim) => ({ sender: claim.sender, error: takeOver }));
    const kept = epoch === undefined ? claims : [];
    this.#claims.set(partitionKey, [...kept, { sender, epoch }]);
    return { granted: true, displaced };
  }

  release(sender: Sender): void {
    for (const [key, claims] of this.#claims) {
      const remaining = claims.filter((claim) => claim.sender !== sender);
      if (remaining.length === 0) this.#claims.delete(key);
      else if (remaining.length !== claims.length) this.#claims.set(key, remaining);
    }
  }
}
