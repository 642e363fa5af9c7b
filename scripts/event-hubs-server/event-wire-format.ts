/**
 * Events on the wire. Producers send AMQP batch messages (message format 0x80013700): an envelope whose data
 * sections each hold one encoded event. Consumers get each event back with the annotations the service adds:
 * `x-opt-sequence-number`, `x-opt-offset` (a string), `x-opt-enqueued-time` and `x-opt-partition-key`.
 */

import type { Message } from 'rhea';
import rhea from 'rhea';
import type { PartitionSnapshot, StoredEvent } from './partition-log.ts';

export const batchMessageFormat = 0x80013700;

const annotation = {
  partitionKey: 'x-opt-partition-key',
  sequenceNumber: 'x-opt-sequence-number',
  offset: 'x-opt-offset',
  enqueuedTime: 'x-opt-enqueued-time',
} as const;

export interface IncomingEvent {
  message: Message;
  partitionKey: string | undefined;
  encodedSize: number;
}

export class MalformedBatchError extends Error {
  override name = 'MalformedBatchError';
}

/** rhea's decoded body when it had data sections: one Buffer, or an array once there were several. */
interface DataSectionsBody {
  typecode: number;
  content: Buffer | Buffer[];
  multiple?: boolean;
}

const dataSectionTypecode = 0x75;

function isDataSectionsBody(body: unknown): body is DataSectionsBody {
  return (
    typeof body === 'object' && body !== null && (body as DataSectionsBody).typecode === dataSectionTypecode
  );
}

/** rhea types `decode` loosely; what it returns is a full message. */
function decodeMessage(encoded: Buffer): Message {
  return rhea.message.decode(encoded) as unknown as Message;
}

function partitionKeyOf(message: Message | undefined): string | undefined {
  const key: unknown = message?.message_annotations?.[annotation.partitionKey];
  return key === undefined || key === null ? undefined : String(key);
}

/**
 * Splits one transfer into the events it carries: a batch into its events, any other message into itself.
 * The envelope's partition key applies to every event of a batch, as the SDK sets it there.
 */
export function unpackTransfer(payload: Message | Buffer, format: number | undefined): IncomingEvent[] {
  if (!Buffer.isBuffer(payload)) {
    return [
      {
        message: payload,
        partitionKey: partitionKeyOf(payload),
        encodedSize: rhea.message.encode(payload).length,
      },
    ];
  }
  if (format !== batchMessageFormat) {
    throw new MalformedBatchError(
      `Message format ${format} is not supported: send AMQP messages or batches.`,
    );
  }
  const envelope = decodeMessage(payload);
  if (!isDataSectionsBody(envelope.body)) {
    throw new MalformedBatchError('A batch message must carry its events as data sections.');
  }
  const sections = Array.isArray(envelope.body.content) ? envelope.body.content : [envelope.body.content];
  const envelopeKey = partitionKeyOf(envelope);
  return sections.map((section) => {
    const message = decodeMessage(section);
    return { message, partitionKey: envelopeKey ?? partitionKeyOf(message), encodedSize: section.length };
  });
}

/** The message a consumer receives for a stored event; `runtime` adds the last-enqueued metrics it asked for. */
export function toDeliveredMessage(event: StoredEvent, runtime?: PartitionSnapshot): Message {
  const annotations: Record<string, unknown> = {
    ...event.message.message_annotations,
    [annotation.sequenceNumber]: rhea.types.wrap_long(event.sequenceNumber),
    [annotation.offset]: String(event.offset),
    [annotation.enqueuedTime]: event.enqueuedTime,
  };
  if (event.partitionKey !== undefined) annotations[annotation.partitionKey] = event.partitionKey;
  const delivered: Message = { ...event.message, message_annotations: annotations };
  if (runtime) {
    delivered.delivery_annotations = {
      last_enqueued_sequence_number: rhea.types.wrap_long(runtime.lastSequenceNumber),
      last_enqueued_offset: runtime.lastOffset,
      last_enqueued_time_utc: runtime.lastEnqueuedTime,
      runtime_info_retrieval_time_utc: new Date(),
    };
  }
  return delivered;
}
