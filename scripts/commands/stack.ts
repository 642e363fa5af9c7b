/**
 * `tricloud stack up [--env FILE]`: the local three-cloud stack in the foreground. Prints (and writes) the env
 * contract, then runs until SIGINT or SIGTERM, when it stops every server and child process it started.
 */

import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { writeEnvFile } from '../../shared/config/env-file.ts';
import { MissingPrerequisiteError } from '../local-stack/errors.ts';
import { startLocalStack } from '../local-stack/local-stack.ts';
import { loadManifest } from '../local-stack/manifest.ts';
import { measureStackMemory } from '../local-stack/stack-memory.ts';
import { type ReadHosts, sourceReadHandlers, startReadHosts } from '../trigger-hosts/read-hosts.ts';

const usage = `Usage: tricloud stack up [--env FILE] [--manifest FILE]

Starts SQS, DynamoDB, Pub/Sub, Firestore, Event Hubs and Cosmos DB servers on free ports, provisions the
resources of infra/manifest.json on them and prints the environment that points the SDKs at them.
A service whose endpoint variable is already set (e.g. AWS_ENDPOINT_URL_SQS) is not started, only provisioned.
Stops everything on Ctrl-C or SIGTERM. See docs/LOCAL-STACK.md.

Options:
  --env FILE        also write the variables to FILE as KEY=VALUE lines
  --manifest FILE   the resource manifest (default: infra/manifest.json)
  -h, --help        show this help`;

const megabytes = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      env: { type: 'string' },
      manifest: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  if (positionals.length !== 1 || positionals[0] !== 'up') {
    console.error(usage);
    return 2;
  }

  const startedAt = performance.now();
  // Signals that arrive while starting must still stop what has started: remember them, stop once started.
  let stopRequested = false;
  let wake: (() => void) | undefined;
  const onSignal = (): void => {
    stopRequested = true;
    wake?.();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // `npx` does not pass a SIGTERM it receives on to us: it exits and leaves us orphaned. Whoever started us being
  // gone means the same as a signal, so stop then too (and so never leave Java emulators running unattended).
  const parent = process.ppid;
  const orphanWatch = setInterval(() => {
    if (process.ppid !== parent) onSignal();
  }, 500);
  orphanWatch.unref();

  let stack: Awaited<ReturnType<typeof startLocalStack>>;
  try {
    const manifest =
      values.manifest !== undefined ? await loadManifest(values.manifest) : await loadManifest();
    stack = await startLocalStack({
      manifest,
      environment: process.env,
      log: (line) => console.error(`stack: ${line}`),
    });
  } catch (error) {
    if (error instanceof MissingPrerequisiteError) {
      console.error(error.message);
      return 3;
    }
    throw error;
  }
  const startupMs = performance.now() - startedAt;

  let reads: ReadHosts | undefined;
  try {
    // The read functions (from source) serve the stores this stack provisioned, as a client's endpoints.
    Object.assign(process.env, stack.env);
    reads = await startReadHosts(await sourceReadHandlers());
    const env = { ...stack.env, ...reads.env };
    if (values.env !== undefined) await writeEnvFile(values.env, env);
    for (const [key, value] of Object.entries(env)) console.log(`${key}=${value}`);
    const memory = await measureStackMemory(stack.childSessions);
    console.error(
      `stack: up in ${(startupMs / 1000).toFixed(1)} s; RSS ${megabytes(memory.totalRssBytes)} ` +
        `(node ${megabytes(memory.nodeRssBytes)}, emulators ${megabytes(memory.childRssBytes)}); ` +
        `started ${stack.started.join(', ') || 'nothing'}${stack.external.length > 0 ? `; given: ${stack.external.join(', ')}` : ''}` +
        `${values.env !== undefined ? `; wrote ${values.env}` : ''}. Ctrl-C stops it.`,
    );
    if (!stopRequested) {
      // Nothing else may keep the loop alive when every service is external, so hold it open until a signal.
      const keepAlive = setInterval(() => {}, 1 << 30);
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
      clearInterval(keepAlive);
    }
  } finally {
    console.error('stack: stopping');
    await reads?.stop();
    await stack.stop();
    clearInterval(orphanWatch);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    console.error('stack: stopped');
  }
  return 0;
}
