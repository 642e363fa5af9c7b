/**
 * `tricloud dead-letters list|show|export|redrive`: read, explain, export for correction and replay a cloud's
 * dead letters — those its ingest function wrote into the store, and the messages that exhausted their deliveries
 * in the transport's own dead-letter place. The per-cloud readers and redrives live in `scripts/dead-letters/`.
 */
import { createWriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { parseTimeParameter, TIME_FORMS } from '../../shared/client/time.ts';
import type { Env } from '../../shared/config/environment.ts';
import { ORIGINS, type Origin } from '../../shared/core/index.ts';
import { loadCloudEnv } from '../cli/cloud-env.ts';
import { OptionError, oneOf, positiveInt } from '../cli/options.ts';
import { type CloudDeadLetters, openCloudDeadLetters } from '../dead-letters/cloud-dead-letters.ts';
import { describeFailure, exitCodeOf, LetterNotFound } from '../dead-letters/dead-letter-failures.ts';
import { DEFAULT_LIMIT, type LetterFilter } from '../dead-letters/letter.ts';
import { renderLetter } from '../dead-letters/letter-detail.ts';
import { exportLetterRecords } from '../dead-letters/letter-export.ts';
import { collectListing, type Listing, renderListing } from '../dead-letters/letter-listing.ts';
import { findLetter } from '../dead-letters/letter-search.ts';
import { renderRedrive } from '../dead-letters/redrive-text.ts';
import { PEEK_CAP } from '../dead-letters/transport-dead-letters.ts';

const usage = `Usage: tricloud dead-letters <list|show|export|redrive> [options] [--env FILE]

  list --cloud aws|gcp|azure [--reason TEXT] [--since T] [--limit N] [--json]
      Counts by reason, then the newest letters (--limit, default ${DEFAULT_LIMIT}), of two places, each labelled:
      what the cloud's ingest function dead-lettered into its store (invalid records, unreadable messages; on
      Azure also whole messages the store refused for good), and the messages that exhausted their deliveries in
      the transport's dead-letter place (the SQS dead-letter queue; the Pub/Sub dead-letter subscription).
      Listing does not consume the transport's: each message is received and handed straight back.
  show ID [--cloud aws|gcp|azure] [--json]
      Everything about one letter: where it is kept, why, when, attempts, the original text as sent. A transport's
      messages have ids sqs:… and pubsub:…; without --cloud each cloud the environment names is searched.
  export --cloud aws|gcp|azure --out FILE [--reason TEXT] [--since T]
      The letters' records as NDJSON, each field as it was sent, plus a "deadLetter" field saying where from and
      why (ignored by produce): correct FILE, then send it again with tricloud produce --file FILE --to CLOUD.
  redrive --cloud aws|gcp|azure [--since T] [--dry-run] [--json]
      Sends the messages that exhausted their deliveries back to where they came from: the SQS dead-letter queue
      to its source queue (StartMessageMoveTask, or receive/send/delete where the server lacks it or --since
      chooses), the Pub/Sub dead-letter subscription to the records topic, Azure's undeliverable letters to the
      hub. Ingest counts a record once whatever the deliveries, so redriving twice counts nothing twice.
      --since moves only what was dead-lettered at T or later; --dry-run moves nothing.

--reason keeps letters whose reason contains TEXT (any case); --since T those dead-lettered at T or later
(${TIME_FORMS}).
Exit status: 0 done; 1 a bad option or a missing environment variable (named); 2 a cloud could not be read or
written (the service is named); 3 show found no letter with that id.`;

const SUBCOMMANDS = ['list', 'show', 'export', 'redrive'] as const;

interface Values {
  cloud?: string;
  env?: string;
  reason?: string;
  since?: string;
  limit?: string;
  out?: string;
  json: boolean;
  'dry-run': boolean;
  help?: boolean;
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      cloud: { type: 'string' },
      env: { type: 'string' },
      reason: { type: 'string' },
      since: { type: 'string' },
      limit: { type: 'string' },
      out: { type: 'string' },
      json: { type: 'boolean', default: false },
      'dry-run': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  try {
    const [sub, ...rest] = positionals;
    if (sub === undefined) {
      throw new OptionError(
        'subcommand',
        `${usage.split('\n')[0]}: name a subcommand (--help says what each does).`,
      );
    }
    const subcommand = oneOf('the subcommand', sub, SUBCOMMANDS);
    const env = await loadCloudEnv(values.env);
    switch (subcommand) {
      case 'list':
        return await list(values, env);
      case 'show':
        return await show(rest[0], values, env);
      case 'export':
        return await exportRecords(values, env);
      case 'redrive':
        return await redrive(values, env);
    }
  } catch (error) {
    console.error(describeFailure(error));
    return exitCodeOf(error);
  }
}

/** `--since` in epoch ms, when given. */
function sinceOf(values: Values): number | undefined {
  return values.since === undefined ? undefined : parseTimeParameter(values.since, '--since', Number.NaN);
}

function filterOf(values: Values): LetterFilter {
  const since = sinceOf(values);
  return {
    ...(values.reason === undefined ? {} : { reason: values.reason }),
    ...(since === undefined ? {} : { since }),
  };
}

async function withCloud<T>(cloud: Origin, env: Env, work: (c: CloudDeadLetters) => Promise<T>): Promise<T> {
  const opened = await openCloudDeadLetters(cloud, env);
  try {
    return await work(opened);
  } finally {
    await opened.close();
  }
}

/** The transport's listing, or a sentence saying why there is none (and whether that is a failure). */
type TransportListing = Listing | { where?: string; none: string; failed?: true };

async function list(values: Values, env: Env): Promise<number> {
  const cloud = oneOf('--cloud', values.cloud, ORIGINS);
  const filter = filterOf(values);
  const limit = values.limit === undefined ? DEFAULT_LIMIT : positiveInt('--limit', values.limit);
  const filtered = filter.reason !== undefined || filter.since !== undefined;
  return withCloud(cloud, env, async (opened) => {
    const store = await collectListing(opened.store.where, opened.store.list(filter.since), {
      filter,
      limit,
    });
    const transport = await listTransport(opened, filter, limit);
    const note = 'none' in opened.transport ? undefined : opened.transport.peekNote;
    if (values.json) {
      await print(`${JSON.stringify({ cloud, store, transport, ...(note ? { note } : {}) })}\n`);
    } else {
      const text = [renderListing(`${cloud}: dead-lettered by the ingest function`, store, filtered)];
      const title = `${cloud}: messages that exhausted their deliveries`;
      if ('none' in transport) {
        text.push(
          `${title} — ${transport.where === undefined ? '' : `${transport.where}: `}${transport.none}\n`,
        );
      } else {
        text.push(renderListing(title, transport, filtered));
        if (note) text.push(`  (${note})\n`);
      }
      await print(text.join('\n'));
    }
    return 'failed' in transport ? 2 : 0;
  });
}

/** Reads the transport's dead-letter place; a failure is reported in the listing, not thrown: the store's stands. */
async function listTransport(
  opened: CloudDeadLetters,
  filter: LetterFilter,
  limit: number,
): Promise<TransportListing> {
  if ('none' in opened.transport) return { none: opened.transport.none };
  const { where } = opened.transport;
  try {
    return await collectListing(where, opened.transport.peek(PEEK_CAP), { filter, limit, cap: PEEK_CAP });
  } catch (error) {
    return { where, none: `not read: ${describeFailure(error)}`, failed: true };
  }
}

async function show(id: string | undefined, values: Values, env: Env): Promise<number> {
  if (id === undefined || id === '')
    throw new OptionError(
      'ID',
      'show takes the id of a letter: tricloud dead-letters show ID (list prints them).',
    );
  const clouds = values.cloud === undefined ? [...ORIGINS] : [oneOf('--cloud', values.cloud, ORIGINS)];
  const found = await findLetter(id, clouds, env, values.cloud !== undefined);
  if (found.letter === undefined) throw new LetterNotFound(id, found.searched, found.skipped);
  await print(values.json ? `${JSON.stringify(found.letter)}\n` : renderLetter(found.letter));
  return 0;
}

async function exportRecords(values: Values, env: Env): Promise<number> {
  const cloud = oneOf('--cloud', values.cloud, ORIGINS);
  if (!values.out)
    throw new OptionError('--out', '--out FILE is required (use --out - for standard output).');
  const filter = filterOf(values);
  return withCloud(cloud, env, async (opened) => {
    const out = values.out === '-' ? process.stdout : createWriteStream(values.out!);
    const sources = [
      opened.store.list(filter.since),
      ...('none' in opened.transport ? [] : [opened.transport.peek(PEEK_CAP)]),
    ];
    const summary = await exportLetterRecords(sources, filter, out);
    if (out !== process.stdout) {
      out.end();
      await finished(out);
    }
    console.error(
      `exported ${summary.records} records from ${summary.letters} dead letters of ${cloud} to ${values.out === '-' ? 'standard output' : values.out}` +
        (summary.records > 0
          ? `; correct them, then: tricloud produce --file ${values.out === '-' ? 'FILE' : values.out} --to ${cloud}`
          : ''),
    );
    if (summary.withoutCount > 0) {
      console.error(`${summary.withoutCount} letters hold no record to export:`);
      for (const w of summary.without) console.error(`  ${w.id}: ${w.why}`);
    }
    return 0;
  });
}

async function redrive(values: Values, env: Env): Promise<number> {
  const cloud = oneOf('--cloud', values.cloud, ORIGINS);
  const dryRun = values['dry-run'];
  const since = sinceOf(values);
  return withCloud(cloud, env, async (opened) => {
    const report = await opened.redrive({ dryRun, ...(since === undefined ? {} : { since }) });
    await print(values.json ? `${JSON.stringify(report)}\n` : renderRedrive(report));
    return 0;
  });
}

function print(text: string): Promise<void> {
  return new Promise((resolve) => process.stdout.write(text, () => resolve()));
}
