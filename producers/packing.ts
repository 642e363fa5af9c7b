/**
 * Packs records into messages per cloud and per series, with the core's `MessagePacker`, under the one message size
 * every transport accepts (`MESSAGE_MAX_BYTES`). One series per message lets Event Hubs key the message by series,
 * so a series stays on one partition, in order. `drain()` completes every open message: the producer calls it at
 * the end of each spool chunk, so a checkpoint never covers a record still waiting in a packer.
 */
import { type DataRecord, MessagePacker, type Origin } from '../shared/core/index.ts';
import type { SpoolMessage } from './spool.ts';
import { MESSAGE_MAX_BYTES } from './transport-limits.ts';

interface Open {
  cloud: Origin;
  series: string;
  packer: MessagePacker;
  /** Records in the packer's current message (the packer does not say). */
  count: number;
}

export class CloudPacking {
  readonly #open = new Map<string, Open>();
  readonly #done: SpoolMessage[] = [];
  readonly #recordsPerMessage: number;
  readonly #batchId: () => string;

  constructor(recordsPerMessage: number, batchId: () => string) {
    this.#recordsPerMessage = recordsPerMessage;
    this.#batchId = batchId;
  }

  add(cloud: Origin, record: DataRecord): void {
    const key = `${cloud}\u0000${record.series}`;
    let open = this.#open.get(key);
    if (open === undefined) {
      open = {
        cloud,
        series: record.series,
        packer: new MessagePacker(
          { maxBytes: MESSAGE_MAX_BYTES, maxRecords: this.#recordsPerMessage },
          this.#batchId,
        ),
        count: 0,
      };
      this.#open.set(key, open);
    }
    const done = open.packer.add(record);
    if (done !== undefined) {
      this.#done.push({ cloud, key: record.series, records: open.count, body: done });
      open.count = 0;
    }
    open.count++;
  }

  /** Every message completed so far, the open ones included; the packing starts empty again. */
  drain(): SpoolMessage[] {
    for (const open of this.#open.values()) {
      const body = open.packer.flush();
      if (body !== undefined)
        this.#done.push({ cloud: open.cloud, key: open.series, records: open.count, body });
    }
    // Packers are cheap; dropping them keeps memory bounded when series come and go.
    this.#open.clear();
    return this.#done.splice(0);
  }
}
