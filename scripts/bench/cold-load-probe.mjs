/**
 * Run in a fresh process by the cold-load bench: loads one function module (a bundle, or unbundled code importing
 * from node_modules), calls its handler once against the local stack, and prints how long each phase took, in
 * milliseconds, with what the handler returned. Arguments: module path, deployable (aws-ingest | aws-sync |
 * aws-read | gcp-functions | azure-functionapp). The bundle test also runs it, on bundles copied away from `node_modules`.
 * Plain JavaScript on purpose: a `.ts` probe would start Node's TypeScript loader in every process, charging the
 * bundle a cost that a deployed bundle never pays.
 */
const [modulePath, deployable] = process.argv.slice(2);
const started = performance.now();
const id = `cold-${process.pid}`;
const body = JSON.stringify({
  v: 1,
  b: 'cold',
  r: [[`COLD-${deployable}-${process.pid}`, 1, 1_700_000_000_000, 1, 1]],
});
/** @type {Record<string, (...args: unknown[]) => Promise<unknown>>} */
const mod = await import(modulePath);
const loaded = performance.now();
let result;
if (deployable === 'aws-ingest') {
  result = await mod.handler({ Records: [{ messageId: id, body }] });
} else if (deployable === 'aws-sync') {
  result = await mod.handler({ id });
} else if (deployable === 'aws-read') {
  const query = { series: `COLD-${process.pid}`, window: '1m', from: '0', to: '60000' };
  result = await mod.handler({ queryStringParameters: query, headers: {} });
} else if (deployable === 'gcp-functions') {
  await mod.ingestPubSub({
    id,
    data: { message: { data: Buffer.from(body).toString('base64'), messageId: id } },
  });
} else {
  const triggerMetadata = { sequenceNumberArray: [process.pid], partitionContext: { partitionId: 'cold' } };
  await mod.ingestEvents([body], { invocationId: id, triggerMetadata });
}
const called = performance.now();
console.log(
  JSON.stringify({ start: started, load: loaded - started, call: called - loaded, total: called, result }),
);
process.exit(0);
