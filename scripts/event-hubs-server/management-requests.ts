/**
 * `$management` READ requests: hub properties (`com.microsoft:eventhub`) and partition properties
 * (`com.microsoft:partition`), with the field names the SDK's management client reads.
 */

import type { Message } from 'rhea';
import rhea from 'rhea';
import { invalidArgument, notImplemented } from './amqp-errors.ts';
import type { EventHubsNamespace } from './event-hubs-namespace.ts';
import { errorReply, successReply } from './request-reply.ts';

const hubPropertiesType = 'com.microsoft:eventhub';
const partitionPropertiesType = 'com.microsoft:partition';

export function answerManagementRequest(request: Message, namespace: EventHubsNamespace): Message {
  const properties: Record<string, unknown> = request.application_properties ?? {};
  const { operation, type } = properties;
  const hubName = String(properties.name ?? '');
  if (operation !== 'READ') {
    return errorReply(
      request,
      notImplemented(`The $management operation '${String(operation)}' is not supported: use READ.`),
    );
  }
  if (type === hubPropertiesType) {
    const lookup = namespace.hub(hubName);
    if ('error' in lookup) return errorReply(request, lookup.error);
    const hub = lookup.found;
    return successReply(request, {
      name: hub.name,
      type: hubPropertiesType,
      created_at: hub.createdAt,
      partition_count: rhea.types.wrap_int(hub.partitions.length),
      partition_ids: hub.partitionIds,
    });
  }
  if (type === partitionPropertiesType) {
    const partitionId = String(properties.partition ?? '');
    const lookup = namespace.partition(hubName, partitionId);
    if ('error' in lookup) return errorReply(request, lookup.error);
    const { hub, partition } = lookup.found;
    const snapshot = partition.snapshot();
    return successReply(request, {
      name: hub.name,
      type: partitionPropertiesType,
      partition: partition.id,
      begin_sequence_number: rhea.types.wrap_long(snapshot.beginSequenceNumber),
      last_enqueued_sequence_number: rhea.types.wrap_long(snapshot.lastSequenceNumber),
      last_enqueued_offset: snapshot.lastOffset,
      last_enqueued_time_utc: snapshot.lastEnqueuedTime,
      is_partition_empty: snapshot.isEmpty,
    });
  }
  return errorReply(
    request,
    invalidArgument(
      `The $management type '${String(type)}' is not supported: use ${hubPropertiesType} or ${partitionPropertiesType}.`,
    ),
  );
}
