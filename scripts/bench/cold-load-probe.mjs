/**
 * Run in a fresh process by the cold-load bench: loads one function module (a bundle, or the source entry that
 * imports from node_modules), calls its handler once against the local stack, and prints the milliseconds since
 * the process started. Arguments: module path, cloud (aws | gcp | azure).
 * Plain JavaScript on purpose: a `.ts` probe would start Node's TypeScript loader (≈ 40 ms) in every process,
 * charging the bundle a cost that a deployed bundle never pays; the unbundled source still pays it, as it must.
 */
const [modulePath, cloud] = process.argv.slice(2);
const body = JSON.stringify({
  v: 1,
  b: 'cold',
  r: [[`COLD-${cloud}-${process.pid}`, 1, 1_700_000_000_000, 1, 1]],
});
/** @type {Record<string, (...args: unknown[]) => Promise<unknown>>} */
const mod = await import(modulePath);
if (cloud === 'aws') {
  await mod.handler({ Records: [{ messageId: `cold-${process.pid}`, body }] });
} else if (cloud === 'gcp') {
  const data = Buffer.from(body).toString('base64');
  await mod.ingestPubSub({
    id: `cold-${process.pid}`,
    data: { message: { data, messageId: `cold-${process.pid}` } },
  });
} else {
  const triggerMetadata = { sequenceNumberArray: [process.pid], partitionContext: { partitionId: 'cold' } };
  await mod.ingestEvents([body], { invocationId: 'cold', triggerMetadata });
}
console.log(JSON.stringify({ ms: performance.now() }));
process.exit(0);
