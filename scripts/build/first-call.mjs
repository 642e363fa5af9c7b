/**
 * The first invocation of each deployable's main function, shaped as its platform delivers it: one message of
 * freshly packed records for the ingest functions (SQS, a Pub/Sub push, an Event Hubs batch), a scheduled run for
 * AWS sync, one range read for AWS read. The build runs it to train a bundle's code cache (`code-cache.ts`), and
 * the bench's cold-load probe times it. Plain JavaScript, so the probe loads no TypeScript loader.
 *
 * `tag` makes the ids and the series unique to the caller, so repeated calls never meet as duplicates.
 * Resolves to what the function returned; rejects if it failed (an ingest function whose message failed throws or
 * reports the message as failed, so a call that did not store its records is never taken for a first call).
 *
 * @param {Record<string, (...args: unknown[]) => Promise<unknown>>} mod the package's exports
 * @param {string} deployable aws-ingest | aws-sync | aws-read | gcp-functions | azure-functionapp
 * @param {string} tag
 * @returns {Promise<unknown>}
 */
export async function firstCall(mod, deployable, tag) {
  const id = `first-call-${tag}`;
  const body = JSON.stringify({
    v: 1,
    b: tag,
    r: [
      [`FIRST-${deployable}-${tag}`, 1, 1_700_000_000_000, 100.5, 2],
      [`FIRST-${deployable}-${tag}`, 2, 1_700_000_000_500, 101, 1],
    ],
  });
  if (deployable === 'aws-ingest') {
    const result = await mod.handler({ Records: [{ messageId: id, body }] });
    if (result?.batchItemFailures?.length)
      throw new Error(`aws-ingest failed its message: ${JSON.stringify(result)}`);
    return result;
  }
  if (deployable === 'aws-sync') return mod.handler({ id });
  if (deployable === 'aws-read') {
    const query = { series: `FIRST-${deployable}-${tag}`, window: '1m', from: '0', to: '60000' };
    const result = await mod.handler({ queryStringParameters: query, headers: {} });
    if (result?.statusCode !== 200) throw new Error(`aws-read answered ${JSON.stringify(result)}`);
    return result;
  }
  if (deployable === 'gcp-functions')
    return mod.ingestPubSub({
      id,
      data: { message: { data: Buffer.from(body).toString('base64'), messageId: id } },
    });
  if (deployable === 'azure-functionapp') {
    const triggerMetadata = { sequenceNumberArray: [1], partitionContext: { partitionId: tag } };
    return mod.ingestEvents([body], { invocationId: id, triggerMetadata });
  }
  throw new Error(`no first call for ${deployable}`);
}
