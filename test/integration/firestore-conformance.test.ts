/**
 * Firestore conformance: the `lastUpdateTime` precondition the store adapter's optimistic concurrency relies on,
 * and ordered range queries on `updatedAt` that sync lists changes with, through the official SDK (Google's
 * emulator by default). Each test writes to a collection of its own.
 */
import type { Firestore } from '@google-cloud/firestore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firestoreClient, uniqueName } from '../setup/cloud-clients.ts';

/** gRPC status FAILED_PRECONDITION: what Firestore answers when a precondition does not hold. */
const failedPrecondition = 9;
/** gRPC status ALREADY_EXISTS: a `create` of a document that exists. */
const alreadyExists = 6;

let firestore: Firestore;

beforeAll(() => {
  firestore = firestoreClient();
});

afterAll(async () => {
  await firestore.terminate();
});

describe('preconditions', () => {
  it('let a write through only while the document is unchanged since it was read', async () => {
    const doc = firestore.collection(uniqueName('conformance')).doc('BTCUSDT:1m:1700000000000');
    await doc.create({ rev: 1 });
    const read = await doc.get();
    const readAt = read.updateTime!;

    await doc.update({ rev: 2 }, { lastUpdateTime: readAt });
    const stale = doc.update({ rev: 3 }, { lastUpdateTime: readAt });

    await expect(stale).rejects.toMatchObject({ code: failedPrecondition });
    expect((await doc.get()).get('rev')).toBe(2);
  });

  it('let exactly one of two writers holding the same read win', async () => {
    const doc = firestore.collection(uniqueName('conformance')).doc('race');
    await doc.create({ rev: 1 });
    const readAt = (await doc.get()).updateTime!;

    const results = await Promise.allSettled([
      doc.update({ rev: 2, by: 'a' }, { lastUpdateTime: readAt }),
      doc.update({ rev: 2, by: 'b' }, { lastUpdateTime: readAt }),
    ]);

    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(lost).toHaveLength(1);
    expect(lost[0]?.reason).toMatchObject({ code: failedPrecondition });
  });

  it('refuse to create a document that exists', async () => {
    const doc = firestore.collection(uniqueName('conformance')).doc('once');
    await doc.create({ rev: 1 });

    await expect(doc.create({ rev: 1 })).rejects.toMatchObject({ code: alreadyExists });
  });
});

describe('queries on updatedAt', () => {
  it('list documents changed after a watermark, oldest first, page by page', async () => {
    const collection = firestore.collection(uniqueName('conformance'));
    const times = [5_000, 1_000, 3_000, 2_000, 4_000, 6_000];
    await Promise.all(times.map((t) => collection.doc(`doc-${t}`).set({ updatedAt: t })));
    const changedSince = (watermark: number) =>
      collection.where('updatedAt', '>', watermark).orderBy('updatedAt').limit(2);

    const first = await changedSince(2_000).get();
    const last = first.docs.at(-1)!;
    const second = await changedSince(2_000).startAfter(last).get();

    expect(first.docs.map((d) => d.get('updatedAt'))).toEqual([3_000, 4_000]);
    expect(second.docs.map((d) => d.get('updatedAt'))).toEqual([5_000, 6_000]);
  });
});
