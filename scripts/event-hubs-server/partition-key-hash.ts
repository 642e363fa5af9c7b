/**
 * Which partition a partition key lands on. Event Hubs hashes the key's UTF-8 bytes with Bob Jenkins' lookup3
 * (`hashlittle2`, both seeds 0), folds the two 32-bit results into a signed 16-bit value and takes it modulo the
 * partition count. We do the same, so a key lands on the same partition id here as in Azure and as in the SDK's
 * buffered producer, which computes the partition on the client.
 */

const blockBytes = 12;

function rotateLeft(value: number, bits: number): number {
  return ((value << bits) | (value >>> (32 - bits))) >>> 0;
}

interface HashState {
  a: number;
  b: number;
  c: number;
}

/** lookup3's `mix`: run on every 12-byte block except the last. */
function mix(s: HashState): void {
  s.a = (s.a - s.c) >>> 0;
  s.a = (s.a ^ rotateLeft(s.c, 4)) >>> 0;
  s.c = (s.c + s.b) >>> 0;
  s.b = (s.b - s.a) >>> 0;
  s.b = (s.b ^ rotateLeft(s.a, 6)) >>> 0;
  s.a = (s.a + s.c) >>> 0;
  s.c = (s.c - s.b) >>> 0;
  s.c = (s.c ^ rotateLeft(s.b, 8)) >>> 0;
  s.b = (s.b + s.a) >>> 0;
  s.a = (s.a - s.c) >>> 0;
  s.a = (s.a ^ rotateLeft(s.c, 16)) >>> 0;
  s.c = (s.c + s.b) >>> 0;
  s.b = (s.b - s.a) >>> 0;
  s.b = (s.b ^ rotateLeft(s.a, 19)) >>> 0;
  s.a = (s.a + s.c) >>> 0;
  s.c = (s.c - s.b) >>> 0;
  s.c = (s.c ^ rotateLeft(s.b, 4)) >>> 0;
  s.b = (s.b + s.a) >>> 0;
}

/** lookup3's `final`: run once, after the last block. */
function finalMix(s: HashState): void {
  const steps: Array<[keyof HashState, keyof HashState, number]> = [
    ['c', 'b', 14],
    ['a', 'c', 11],
    ['b', 'a', 25],
    ['c', 'b', 16],
    ['a', 'c', 4],
    ['b', 'a', 14],
    ['c', 'b', 24],
  ];
  for (const [target, source, bits] of steps) {
    s[target] = (s[target] ^ s[source]) >>> 0;
    s[target] = (s[target] - rotateLeft(s[source], bits)) >>> 0;
  }
}

function addBlock(s: HashState, block: Buffer): void {
  s.a = (s.a + block.readUInt32LE(0)) >>> 0;
  s.b = (s.b + block.readUInt32LE(4)) >>> 0;
  s.c = (s.c + block.readUInt32LE(8)) >>> 0;
}

/** lookup3 `hashlittle2` with both seeds 0; returns the primary (`c`) and secondary (`b`) hashes. */
function hashLittle2(data: Buffer): HashState {
  const initial = (0xdeadbeef + data.length) >>> 0;
  const state: HashState = { a: initial, b: initial, c: initial };
  if (data.length === 0) return state;
  let position = 0;
  while (data.length - position > blockBytes) {
    addBlock(state, data.subarray(position, position + blockBytes));
    mix(state);
    position += blockBytes;
  }
  // The last 1–12 bytes are read little-endian with missing bytes counting as zero: the same as a zero-padded block.
  const tail = Buffer.alloc(blockBytes);
  data.copy(tail, 0, position);
  addBlock(state, tail);
  finalMix(state);
  return state;
}

/** The partition index (0-based) that `partitionKey` maps to among `partitionCount` partitions. */
export function partitionIndexForKey(partitionKey: string, partitionCount: number): number {
  const { b, c } = hashLittle2(Buffer.from(partitionKey, 'utf8'));
  const folded = new Int16Array([c ^ b])[0] ?? 0;
  return Math.abs(folded % partitionCount);
}
