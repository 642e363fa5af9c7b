/** FNV-1a, 32 bits: a stable, fast, non-cryptographic hash for placing keys (shards, home clouds, digests). */
export function fnv1a32(text: string, seed = 0x811c9dc5): number {
  let hash = seed >>> 0;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return hash;
}
