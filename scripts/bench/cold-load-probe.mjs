/**
 * Run in a fresh process by the cold-load bench: loads one function module (a bundle, or the source entry that
 * imports from node_modules), calls its handler once against the local stack, and prints the milliseconds since
 * the process started. Arguments: module path, cloud (aws | gcp | azure).
 */
const [modulePath, cloud] = process.argv.slice(2);
const body = JSON.stringify({
  v: 1,
  b: 'cold',
  r: [[`COLD-${cloud}-${process.pid}`, 1, 1_700_000_000_000, 1, 1]],
});
const mod = (await import(modulePath!)) as Record<string, (...args: unknown[]) => Promise<unknown>>;
if (cloud === 'aws') {
  await mod.handler!({ Records: [{ messageId: `cold-${process.pid}`, body }] });
} else if (cloud === 'gcp') {
  const data = Buffer.from(body).toString('base64');
  await mod.ingestPubSub!({
    id: `cold-${process.pid}`,
    data: { message: { data, messageId: `cold-${process.pid}` } },
  });
} else {
  const triggerMetadata = { sequenceNumberArray: [process.pid], partitionContext: { partitionId: 'cold' } };
  await mod.ingestEvents!([body], { invocationId: 'cold', triggerMetadata });
}
console.log(JSON.stringify({ ms: performance.now() }));
process.exit(0);
