/**
 * Feeds one consumer's receiver link from a partition log. It sends only while the link has credit, and resumes
 * when the consumer grants more (`sendable`) or when a new event is appended; events dropped by retention while
 * the consumer lagged are skipped, as Event Hubs skips expired events.
 */
import type { Sender } from 'rhea';
import type { StartPosition } from './event-position.ts';
import { toDeliveredMessage } from './event-wire-format.ts';
import type { PartitionLog } from './partition-log.ts';

export interface PartitionStreamOptions {
  /** Adds last-enqueued metrics to each delivery, which the SDK asks for with `trackLastEnqueuedEventProperties`. */
  withRuntimeMetrics: boolean;
}

export class PartitionStream {
  readonly sender: Sender;
  readonly #partition: PartitionLog;
  readonly #options: PartitionStreamOptions;
  #nextSequenceNumber: number;
  #stopListening: (() => void) | undefined;

  constructor(
    sender: Sender,
    partition: PartitionLog,
    position: StartPosition,
    options: PartitionStreamOptions,
  ) {
    this.sender = sender;
    this.#partition = partition;
    this.#options = options;
    this.#nextSequenceNumber = partition.startingSequenceNumber(position);
  }

  start(): void {
    const stopOnAppend = this.#partition.onAppend(this.#pump);
    this.sender.on('sendable', this.#pump);
    this.sender.on('sender_draining', this.#finishDrain);
    this.#stopListening = () => {
      stopOnAppend();
      this.sender.off('sendable', this.#pump);
      this.sender.off('sender_draining', this.#finishDrain);
    };
    this.#pump();
  }

  stop(): void {
    this.#stopListening?.();
    this.#stopListening = undefined;
  }

  readonly #pump = (): void => {
    if (!this.sender.is_open()) return;
    while (this.sender.sendable()) {
      this.#nextSequenceNumber = Math.max(
        this.#nextSequenceNumber,
        this.#partition.firstRetainedSequenceNumber,
      );
      const event = this.#partition.eventAt(this.#nextSequenceNumber);
      if (event === undefined) break;
      const runtime = this.#options.withRuntimeMetrics ? this.#partition.snapshot() : undefined;
      this.sender.send(toDeliveredMessage(event, runtime));
      this.#nextSequenceNumber += 1;
    }
  };

  /** A consumer that drains asks for whatever is there now; once it is sent, the rest of its credit lapses. */
  readonly #finishDrain = (): void => {
    this.#pump();
    if (this.#nextSequenceNumber >= this.#partition.nextSequenceNumber) this.sender.set_drained(true);
  };
}
