/**
 * What a link attaches to, read from its address:
 * `$cbs`, `$management` (or `<hub>/$management`), `<hub>`, `<hub>/Partitions/<id>` (a producer's target) and
 * `<hub>/ConsumerGroups/<group>/Partitions/<id>` (a consumer's source).
 */

export type EntityAddress =
  | { kind: 'cbs' }
  | { kind: 'management' }
  | { kind: 'hub'; hub: string }
  | { kind: 'hub-partition'; hub: string; partitionId: string }
  | { kind: 'consumer-partition'; hub: string; consumerGroup: string; partitionId: string }
  | { kind: 'unsupported'; address: string };

const hubPartitionPattern = /^([^/]+)\/partitions\/([^/]+)$/i;
const consumerPartitionPattern = /^([^/]+)\/consumergroups\/([^/]+)\/partitions\/([^/]+)$/i;

/** Some clients send absolute addresses (`amqps://namespace/hub/...`); the entity path is what follows the host. */
function entityPathOf(address: string): string {
  return address.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*\//i, '').replace(/^\/+|\/+$/g, '');
}

export function parseEntityAddress(address: string | undefined): EntityAddress {
  const path = entityPathOf(address ?? '');
  if (path === '$cbs') return { kind: 'cbs' };
  if (path === '$management' || path.endsWith('/$management')) return { kind: 'management' };
  const consumer = consumerPartitionPattern.exec(path);
  if (consumer?.[1] && consumer[2] && consumer[3]) {
    return {
      kind: 'consumer-partition',
      hub: consumer[1],
      consumerGroup: consumer[2],
      partitionId: consumer[3],
    };
  }
  const partition = hubPartitionPattern.exec(path);
  if (partition?.[1] && partition[2])
    return { kind: 'hub-partition', hub: partition[1], partitionId: partition[2] };
  if (path !== '' && !path.includes('/')) return { kind: 'hub', hub: path };
  return { kind: 'unsupported', address: address ?? '' };
}
