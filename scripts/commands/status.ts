/**
 * `tricloud status [--env FILE] [--json] [--watch] [--every D] [--deadline MS] [--web] [--port N]`: the three
 * clouds at once — reachable or not and why, transport backlog and dead-letter queue, dead letters by reason,
 * documents, sync lag per source, conflicts, failures of the last hour — against the local stack or real clouds
 * alike, through the env contract. `--web` serves the same view as a live page.
 */
import { parseArgs } from 'node:util';
import type { Env } from '../../shared/config/environment.ts';
import { loadCloudEnv } from '../cli/cloud-env.ts';
import { duration, wholeNumber } from '../cli/options.ts';
import { renderStatus } from '../status/render-text.ts';
import { DEFAULT_DEADLINE_MS, openStatus, type StatusSource } from '../status/status-gatherer.ts';
import { allReachable, type StatusModel, statusExitCode } from '../status/status-model.ts';
import { serveStatusPage } from '../status/status-server.ts';

const usage = `Usage: tricloud status [--env FILE] [--json] [--watch] [--every D] [--deadline MS] [--web] [--port N]

Shows, for AWS, Google Cloud and Azure at once: whether each answers (and why not), the transport's backlog and
dead-letter queue, dead letters by reason, documents (windows, slices, inexact windows, conflicts), each store's
sync watermark and lag per source, and failures of the last hour — and says what a cloud or local server cannot
report. Every cloud is checked concurrently; one that has not answered within --deadline ms (default ${DEFAULT_DEADLINE_MS})
is reported unreachable, and the others are not held up.

  --json       print the model as one JSON object (with --watch: one per line)
  --watch      redraw every --every (default 5s) until Ctrl-C
  --every D    how often --watch redraws and --web refreshes: 1s to 1h (default 5s for --watch, 3s for --web)
  --web        serve the same view as a live page, with each cloud's candles for a chosen series, until Ctrl-C
  --port N     the page's port (default: a free one; the URL is printed)

Exit status: 0 when every cloud answered, 2 when one or more did not (with --watch, as of the last redraw;
--web exits 0 on Ctrl-C), 1 for a bad option.`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      env: { type: 'string' },
      json: { type: 'boolean', default: false },
      watch: { type: 'boolean', default: false },
      every: { type: 'string' },
      deadline: { type: 'string', default: String(DEFAULT_DEADLINE_MS) },
      web: { type: 'boolean', default: false },
      port: { type: 'string', default: '0' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  let options: ReturnType<typeof readOptions>;
  try {
    options = readOptions(values);
  } catch (error) {
    console.error((error as Error).message);
    return 1;
  }
  const env = await loadCloudEnv(values.env);
  if (values.web) return serve(env, options);
  const source = openStatus(env, { deadlineMs: options.deadlineMs });
  if (values.watch) return watch(source, values.json, options.everyMs ?? 5_000);
  const model = await source.gather();
  await print(values.json ? `${JSON.stringify(model)}\n` : `${renderStatus(model)}\n`);
  return finish(source, model);
}

/** Validates the options; throws an error whose message names the option and what it takes. */
export function readOptions(values: { every?: string; deadline: string; port: string }) {
  return {
    everyMs:
      values.every === undefined ? undefined : duration('--every', values.every, { min: '1s', max: '1h' }),
    deadlineMs: wholeNumber('--deadline', values.deadline, 1, 600_000),
    // 0: any free port.
    port: wholeNumber('--port', values.port, 0, 65_535),
  };
}

function print(text: string): Promise<void> {
  return new Promise((resolve) => process.stdout.write(text, () => resolve()));
}

/**
 * Closes the clients and returns the exit code. A cloud that did not answer may hold a socket or a retrying client
 * open long after (a silent Firestore: 43 s and more); the answer is out, so the command ends without waiting on it.
 */
async function finish(source: StatusSource, model: StatusModel): Promise<number> {
  const code = statusExitCode(model);
  if (!allReachable(model)) process.exit(code);
  await source.close();
  return code;
}

/** Resolves on the first Ctrl-C (or SIGTERM). */
function interrupted(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
}

async function watch(source: StatusSource, json: boolean, everyMs: number): Promise<number> {
  let stop = false;
  const stopped = interrupted().then(() => {
    stop = true;
  });
  let last: StatusModel | undefined;
  while (!stop) {
    last = await source.gather();
    const shown = json ? JSON.stringify(last) : renderStatus(last);
    // On a terminal, redraw in place; in a pipe, one view after another.
    await print(process.stdout.isTTY && !json ? `\x1b[H\x1b[2J${shown}\n` : `${shown}\n${json ? '' : '\n'}`);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([stopped, new Promise((resolve) => (timer = setTimeout(resolve, everyMs)))]);
    clearTimeout(timer);
  }
  return last ? finish(source, last) : 0;
}

async function serve(env: Env, options: ReturnType<typeof readOptions>): Promise<number> {
  const page = await serveStatusPage(env, {
    deadlineMs: options.deadlineMs,
    port: options.port,
    ...(options.everyMs !== undefined ? { refreshMs: options.everyMs } : {}),
  });
  console.log(`status page: ${page.url}  (Ctrl-C stops it)`);
  await interrupted();
  // A client of a cloud that stopped answering may take long to close; the page is down, so do not wait on it.
  let timer: NodeJS.Timeout | undefined;
  const closed = await Promise.race([
    page.close().then(() => true),
    new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), 3_000))),
  ]);
  clearTimeout(timer);
  if (!closed) process.exit(0);
  return 0;
}
