/**
 * One partition's append-only log, kept in memory: sequence numbers from 0, byte offsets, enqueued times, and a cap
 * on how many events it retains (the oldest go first, like time-based retention in Event Hubs).
 */
import type { Message } from 'rhea';
import type { StartPosition } from './event-position.ts';

export interface StoredEvent {
  sequenceNumber: number;
  /** Byte position of the event in the partition, as in Event Hubs: it grows by each event's encoded size. */
  offset: number;
  enqueuedTime: Date;
  partitionKey: string | undefined;
  /** The event as the producer sent it; annotations the service adds are applied when it is delivered. */
  message: Message;
}

export interface PartitionSnapshot {
  /** -1 while the partition has never held an event. */
  beginSequenceNumber: number;
  lastSequenceNumber: number;
  /** "-1" while the partition has never held an event. */
  lastOffset: string;
  lastEnqueuedTime: Date;
  isEmpty: boolean;
}

export class PartitionLog {
  readonly id: string;
  readonly #retention: number;
  /** Retained events live at `#events[#head..]`; dropping the oldest only moves `#head`, compaction is amortised. */
  #events: StoredEvent[] = [];
  #head = 0;
  #nextSequenceNumber = 0;
  #nextOffset = 0;
  #lastEnqueuedTime = new Date(0);
  readonly #appendListeners = new Set<() => void>();

  constructor(id: string, retention: number) {
    if (!Number.isInteger(retention) || retention < 1) {
      throw new RangeError(`The retention per partition must be a positive integer, got ${retention}.`);
    }
    this.id = id;
    this.#retention = retention;
  }

  /** Appends one event; `encodedSize` (bytes) advances the offset of the next event. */
  append(
    message: Message,
    partitionKey: string | undefined,
    encodedSize: number,
    now = new Date(),
  ): StoredEvent {
    // Enqueued times never go backwards within a partition, even if the wall clock does, so that
    // enqueued-time positions keep selecting a contiguous tail of the log.
    const enqueuedTime = now.getTime() < this.#lastEnqueuedTime.getTime() ? this.#lastEnqueuedTime : now;
    const event: StoredEvent = {
      sequenceNumber: this.#nextSequenceNumber,
      offset: this.#nextOffset,
      enqueuedTime,
      partitionKey,
      message,
    };
    this.#events.push(event);
    this.#nextSequenceNumber += 1;
    this.#nextOffset += Math.max(1, encodedSize);
    this.#lastEnqueuedTime = enqueuedTime;
    this.#enforceRetention();
    for (const listener of this.#appendListeners) listener();
    return event;
  }

  /** Calls `listener` after every append; returns the function that stops it. */
  onAppend(listener: () => void): () => void {
    this.#appendListeners.add(listener);
    return () => this.#appendListeners.delete(listener);
  }

  /** The sequence number the next appended event gets. */
  get nextSequenceNumber(): number {
    return this.#nextSequenceNumber;
  }

  /** The oldest retained sequence number (equal to `nextSequenceNumber` when nothing is retained). */
  get firstRetainedSequenceNumber(): number {
    return this.#nextSequenceNumber - this.#retainedCount;
  }

  eventAt(sequenceNumber: number): StoredEvent | undefined {
    const index = sequenceNumber - this.firstRetainedSequenceNumber;
    return index < 0 ? undefined : this.#events[this.#head + index];
  }

  snapshot(): PartitionSnapshot {
    const last = this.#events.at(-1);
    const hasEvents = this.#retainedCount > 0;
    return {
      beginSequenceNumber: hasEvents ? this.firstRetainedSequenceNumber : -1,
      lastSequenceNumber: last ? last.sequenceNumber : -1,
      lastOffset: last ? String(last.offset) : '-1',
      lastEnqueuedTime: last ? last.enqueuedTime : new Date(0),
      isEmpty: !hasEvents,
    };
  }

  /** The sequence number a receiver starting at `position` reads first, resolved now (so `latest` means "after now"). */
  startingSequenceNumber(position: StartPosition): number {
    switch (position.kind) {
      case 'earliest':
        return this.firstRetainedSequenceNumber;
      case 'latest':
        return this.#nextSequenceNumber;
      case 'sequence-number': {
        const first = position.inclusive ? position.value : position.value + 1;
        return Math.max(Math.ceil(first), this.firstRetainedSequenceNumber);
      }
      case 'offset':
        return this.#firstSequenceNumberWhere((event) =>
          position.inclusive ? event.offset >= position.value : event.offset > position.value,
        );
      case 'enqueued-time':
        return this.#firstSequenceNumberWhere((event) => {
          const time = event.enqueuedTime.getTime();
          return position.inclusive ? time >= position.value : time > position.value;
        });
    }
  }

  get #retainedCount(): number {
    return this.#events.length - this.#head;
  }

  /** Binary search for the first retained event matching a predicate that is monotonic along the log. */
  #firstSequenceNumberWhere(matches: (event: StoredEvent) => boolean): number {
    let low = this.#head;
    let high = this.#events.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      const event = this.#events[middle];
      if (event !== undefined && matches(event)) high = middle;
      else low = middle + 1;
    }
    return this.firstRetainedSequenceNumber + (low - this.#head);
  }

  #enforceRetention(): void {
    const excess = this.#retainedCount - this.#retention;
    if (excess <= 0) return;
    this.#head += excess;
    if (this.#head >= this.#events.length / 2) {
      this.#events = this.#events.slice(this.#head);
      this.#head = 0;
    }
  }
}
