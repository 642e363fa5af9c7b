/**
 * What happens when a client attaches a link, sends on it or detaches: the one place that maps AMQP link events to
 * the namespace. A client's sender becomes our receiver (events in, `$cbs` and `$management` requests in); a
 * client's receiver becomes our sender (events out as a partition stream, replies out).
 */
import type { AmqpError, Connection, Container, EventContext, Message, Receiver, Sender } from 'rhea';
import rhea from 'rhea';
import { entityNotFound, invalidArgument, messageSizeExceeded, notImplemented } from './amqp-errors.ts';
import { answerCbsRequest } from './cbs-requests.ts';
import { type EntityAddress, parseEntityAddress } from './entity-address.ts';
import type { EventHubsNamespace } from './event-hubs-namespace.ts';
import {
  InvalidSelectorFilterError,
  parseSelectorFilter,
  type StartPosition,
  selectorFilterOf,
} from './event-position.ts';
import { MalformedBatchError, unpackTransfer } from './event-wire-format.ts';
import { answerManagementRequest } from './management-requests.ts';
import { PartitionStream } from './partition-stream.ts';
import { epochOf, ReceiverOwnership } from './receiver-ownership.ts';

type ConsumerPartitionAddress = Extract<EntityAddress, { kind: 'consumer-partition' }>;

const runtimeMetricCapability = 'com.microsoft:enable-receiver-runtime-metric';

function capabilitiesOf(link: Sender | Receiver): string[] {
  const capabilities: unknown = link.desired_capabilities;
  if (Array.isArray(capabilities)) return capabilities.map(String);
  return capabilities === undefined || capabilities === null ? [] : [String(capabilities)];
}

/** The size of a transfer as it came over the wire; a plain message is re-encoded (rhea hands it over decoded). */
function transferSize(payload: Message | Buffer): number {
  return Buffer.isBuffer(payload) ? payload.length : rhea.message.encode(payload).length;
}

export class LinkRouter {
  readonly #namespace: EventHubsNamespace;
  readonly #maxMessageBytes: number;
  readonly #streams = new Map<Sender, PartitionStream>();
  readonly #ownership = new ReceiverOwnership();

  /** `maxMessageBytes` caps every transfer — an event, or a batch as a whole — as the service's tier does. */
  constructor(namespace: EventHubsNamespace, maxMessageBytes: number) {
    this.#namespace = namespace;
    this.#maxMessageBytes = maxMessageBytes;
  }

  /** Registers the handlers on a rhea container; every connection it accepts is then served by this router. */
  listenTo(container: Container): void {
    container.on('receiver_open', (context: EventContext) => this.#onClientSenderAttached(context));
    container.on('sender_open', (context: EventContext) => this.#onClientReceiverAttached(context));
    container.on('message', (context: EventContext) => this.#onMessage(context));
    container.on('sender_close', (context: EventContext) => {
      if (context.sender) this.#stopStream(context.sender);
    });
    // A session or connection that ends takes its links with it, without a detach for each.
    container.on('session_close', (context: EventContext) =>
      this.#stopStreamsWhere((sender) => sender.session === context.session),
    );
    container.on('connection_close', (context: EventContext) =>
      this.#stopStreamsWhere((sender) => sender.connection === context.connection),
    );
    container.on('disconnected', (context: EventContext) =>
      this.#stopStreamsWhere((sender) => sender.connection === context.connection),
    );
  }

  stopAllStreams(): void {
    this.#stopStreamsWhere(() => true);
  }

  #onClientSenderAttached(context: EventContext): void {
    const receiver = context.receiver;
    if (!receiver) return;
    // Echo the terminus: an attach reply with a null target would tell the client its link was refused.
    receiver.set_source(receiver.source);
    receiver.set_target(receiver.target);
    const address = parseEntityAddress(receiver.target?.address);
    switch (address.kind) {
      case 'cbs':
      case 'management':
        return;
      case 'hub': {
        const lookup = this.#namespace.hub(address.hub);
        if ('error' in lookup) receiver.close(lookup.error);
        return;
      }
      case 'hub-partition': {
        const lookup = this.#namespace.partition(address.hub, address.partitionId);
        if ('error' in lookup) receiver.close(lookup.error);
        return;
      }
      case 'consumer-partition':
        receiver.close(
          notImplemented(`Events cannot be sent to a consumer group address ('${receiver.target.address}').`),
        );
        return;
      case 'unsupported':
        receiver.close(entityNotFound(address.address));
        return;
    }
  }

  #onClientReceiverAttached(context: EventContext): void {
    const sender = context.sender;
    if (!sender) return;
    sender.set_source(sender.source);
    sender.set_target(sender.target);
    const address = parseEntityAddress(sender.source?.address);
    if (address.kind === 'cbs' || address.kind === 'management') return;
    if (address.kind !== 'consumer-partition') {
      sender.close(
        address.kind === 'unsupported'
          ? entityNotFound(address.address)
          : notImplemented(
              `Events are read from <hub>/ConsumerGroups/<group>/Partitions/<id>, not from '${sender.source.address}'.`,
            ),
      );
      return;
    }
    this.#startStream(sender, address);
  }

  #startStream(sender: Sender, address: ConsumerPartitionAddress): void {
    const lookup = this.#namespace.consumerPartition(address.hub, address.consumerGroup, address.partitionId);
    if ('error' in lookup) {
      sender.close(lookup.error);
      return;
    }
    let position: StartPosition;
    try {
      position = parseSelectorFilter(selectorFilterOf(sender.source?.filter));
    } catch (error) {
      if (!(error instanceof InvalidSelectorFilterError)) throw error;
      sender.close(invalidArgument(error.message));
      return;
    }
    const { hub, partition } = lookup.found;
    const claim = this.#ownership.claim(
      `${hub.name}/${address.consumerGroup.toLowerCase()}/${partition.id}`,
      sender,
      epochOf(sender),
    );
    if (!claim.granted) {
      sender.close(claim.error);
      return;
    }
    for (const displaced of claim.displaced) {
      this.#stopStream(displaced.sender);
      displaced.sender.close(displaced.error);
    }
    const stream = new PartitionStream(sender, partition, position, {
      withRuntimeMetrics: capabilitiesOf(sender).includes(runtimeMetricCapability),
    });
    this.#streams.set(sender, stream);
    stream.start();
  }

  #onMessage(context: EventContext): void {
    const { receiver, delivery, message } = context;
    if (!receiver || !delivery || message === undefined) return;
    const address = parseEntityAddress(receiver.target?.address);
    if (address.kind === 'cbs' || address.kind === 'management') {
      const reply =
        address.kind === 'cbs'
          ? answerCbsRequest(message)
          : answerManagementRequest(message, this.#namespace);
      delivery.accept();
      this.#sendReply(context.connection, reply);
      return;
    }
    // Nothing of an oversized transfer is stored: Event Hubs refuses the whole publish, batch or single event.
    const size = transferSize(message);
    const error =
      size > this.#maxMessageBytes
        ? messageSizeExceeded(delivery.id, size, this.#maxMessageBytes)
        : this.#appendEvents(address, message, delivery.format);
    if (error) delivery.reject(error);
    else delivery.accept();
  }

  /** Stores the events of one transfer; returns the error to reject the transfer with, if any. */
  #appendEvents(address: EntityAddress, payload: Message | Buffer, format: number): AmqpError | undefined {
    let events: ReturnType<typeof unpackTransfer>;
    try {
      events = unpackTransfer(payload, format);
    } catch (error) {
      if (error instanceof MalformedBatchError) return invalidArgument(error.message);
      throw error;
    }
    if (address.kind === 'hub-partition') {
      const lookup = this.#namespace.partition(address.hub, address.partitionId);
      if ('error' in lookup) return lookup.error;
      for (const event of events)
        lookup.found.partition.append(event.message, event.partitionKey, event.encodedSize);
      return undefined;
    }
    // Links to any other address were refused when they attached.
    if (address.kind !== 'hub')
      return notImplemented('Events can only be sent to a hub or to one of its partitions.');
    const lookup = this.#namespace.hub(address.hub);
    if ('error' in lookup) return lookup.error;
    // All events of one batch go to one partition, as in Event Hubs: the batch shares a key or has none.
    const partition = lookup.found.partitionFor(events[0]?.partitionKey);
    for (const event of events) partition.append(event.message, event.partitionKey, event.encodedSize);
    return undefined;
  }

  #sendReply(connection: Connection, reply: Message): void {
    const replyLink = connection.find_sender(
      (sender: Sender) => sender.name === reply.to || sender.target?.address === reply.to,
    );
    // A client that attached no reply link cannot get an answer; the request is still settled.
    replyLink?.send(reply);
  }

  #stopStream(sender: Sender): void {
    this.#streams.get(sender)?.stop();
    this.#streams.delete(sender);
    this.#ownership.release(sender);
  }

  #stopStreamsWhere(matches: (sender: Sender) => boolean): void {
    for (const sender of [...this.#streams.keys()]) {
      if (matches(sender)) this.#stopStream(sender);
    }
  }
}
