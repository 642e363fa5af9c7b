/**
 * Cosmos DB conformance: `If-Match` on the etag (HTTP 412 when it no longer matches), which the store adapter's
 * optimistic concurrency relies on, and the queries sync and verify use, through the official SDK
 * (`@vercel/cosmosdb-server` by default). Items carry ids no other test uses.
 */
import type { Container, CosmosClient } from '@azure/cosmos';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { azureSettings, cosmosClient, uniqueName } from '../setup/cloud-clients.ts';

interface Doc {
  id: string;
  run: string;
  rev: number;
  updatedAt: number;
}

let client: CosmosClient;
let aggregates: Container;

beforeAll(() => {
  const azure = azureSettings();
  client = cosmosClient(azure);
  aggregates = client.database(azure.cosmosDatabase).container(azure.aggregatesContainer);
});

afterAll(() => client.dispose());

describe('the provisioned containers', () => {
  it('are partitioned by /id', async () => {
    const { resource } = await aggregates.read();

    expect(resource?.partitionKey?.paths).toEqual(['/id']);
  });
});

describe('If-Match', () => {
  it('lets a replace through while the etag matches and answers 412 once it does not', async () => {
    const id = uniqueName('doc');
    const { resource: created } = await aggregates.items.create<Doc>({ id, run: 'x', rev: 1, updatedAt: 1 });
    const etag = created!._etag;

    await aggregates.item(id, id).replace(
      { id, run: 'x', rev: 2, updatedAt: 2 },
      {
        accessCondition: { type: 'IfMatch', condition: etag },
      },
    );
    const stale = aggregates.item(id, id).replace(
      { id, run: 'x', rev: 3, updatedAt: 3 },
      {
        accessCondition: { type: 'IfMatch', condition: etag },
      },
    );

    await expect(stale).rejects.toMatchObject({ code: 412 });
    const { resource } = await aggregates.item(id, id).read<Doc>();
    expect(resource?.rev).toBe(2);
  });

  it('lets exactly one of two writers holding the same etag win', async () => {
    const id = uniqueName('doc');
    const { resource: created } = await aggregates.items.create<Doc>({ id, run: 'x', rev: 1, updatedAt: 1 });
    const ifMatch = { accessCondition: { type: 'IfMatch', condition: created!._etag } };

    const results = await Promise.allSettled([
      aggregates.item(id, id).replace({ id, run: 'a', rev: 2, updatedAt: 2 }, ifMatch),
      aggregates.item(id, id).replace({ id, run: 'b', rev: 2, updatedAt: 2 }, ifMatch),
    ]);

    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(lost).toHaveLength(1);
    expect(lost[0]?.reason).toMatchObject({ code: 412 });
  });

  it('answers 409 to creating an id that exists', async () => {
    const id = uniqueName('doc');
    await aggregates.items.create<Doc>({ id, run: 'x', rev: 1, updatedAt: 1 });

    await expect(aggregates.items.create<Doc>({ id, run: 'x', rev: 1, updatedAt: 1 })).rejects.toMatchObject({
      code: 409,
    });
  });
});

describe('queries', () => {
  it('list documents changed after a watermark across partitions, oldest first, page by page', async () => {
    const run = uniqueName('run');
    for (const updatedAt of [5_000, 1_000, 3_000, 2_000, 4_000, 6_000]) {
      await aggregates.items.create<Doc>({ id: uniqueName('doc'), run, rev: 1, updatedAt });
    }
    const iterator = aggregates.items.query<Doc>(
      {
        query: 'SELECT * FROM c WHERE c.run = @run AND c.updatedAt > @watermark ORDER BY c.updatedAt',
        parameters: [
          { name: '@run', value: run },
          { name: '@watermark', value: 2_000 },
        ],
      },
      { maxItemCount: 2 },
    );

    const pages: number[][] = [];
    while (iterator.hasMoreResults()) {
      const { resources } = await iterator.fetchNext();
      if (resources.length > 0) pages.push(resources.map((d) => d.updatedAt));
    }

    expect(pages.flat()).toEqual([3_000, 4_000, 5_000, 6_000]);
  });
});
