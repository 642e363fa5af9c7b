/**
 * The packed `body` of stored documents (`shared/clouds/document-body.ts`): every kind of document the use cases
 * write comes back from its stored form exactly, and packing pays — a slice and a summary take fewer bytes than
 * their objects spelled out.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { fromStored, toStored } from '../../shared/clouds/document-codec.ts';
import { ORIGINS, parseWindows, type StoredDocument } from '../../shared/core/index.ts';
import { deliver, makeClouds, syncUntilStable } from '../helpers/clouds.ts';
import { messagesOf, T0 } from '../helpers/records.ts';

async function storedDocuments(): Promise<StoredDocument[]> {
  const clouds = makeClouds(parseWindows('1m,1h'));
  const records = Array.from({ length: 1_200 }, (_, i) => ({
    series: i % 2 ? 'A' : 'B',
    // Contiguous ids and ids a slice each, so windows of both shapes (summarizing slices, split into nodes).
    seq: i % 2 ? i : i * 65_536 * 3,
    ts: T0 + i * 37,
    value: 100 + (i % 23) / 7,
    qty: (i % 5) / 3,
  }));
  const messages = messagesOf(records, 100);
  // Overlapping parts (inexact slices), a conflict (other values under the same ids), and single-origin slices.
  await deliver(clouds.aws, messages.slice(0, 10));
  await deliver(clouds.gcp, messages.slice(5));
  await deliver(
    clouds.azure,
    messagesOf(
      records.slice(0, 100).map((r) => ({ ...r, value: r.value + 1 })),
      50,
      'x',
    ),
  );
  await syncUntilStable(clouds);
  return ORIGINS.flatMap((o) => [...clouds[o].store.docs.values()]);
}

describe('stored bodies', () => {
  let docs: StoredDocument[];
  beforeAll(async () => {
    docs = await storedDocuments();
  }, 120_000);

  it('give back every document exactly, of every kind', () => {
    const kinds = new Set(docs.map((d) => d.kind));
    expect([...kinds].sort()).toEqual(['node', 'slice', 'window']);
    expect(docs.some((d) => d.kind === 'slice' && !d.merged.exact)).toBe(true);
    expect(docs.some((d) => d.kind === 'slice' && d.merged.conflict)).toBe(true);
    for (const doc of docs) expect(fromStored(toStored(doc))).toEqual(doc);
  });

  it('take fewer bytes than the documents spelled out', () => {
    for (const kind of ['slice', 'node'] as const) {
      const ofKind = docs.filter((d) => d.kind === kind);
      const packed = ofKind.reduce((n, d) => n + toStored(d).body.length, 0);
      const spelled = ofKind.reduce((n, d) => n + JSON.stringify(d).length, 0);
      expect(packed, kind).toBeLessThan(0.75 * spelled);
    }
  });
});
