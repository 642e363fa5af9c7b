/**
 * Azure's redrive. Event Hubs has no dead-letter queue, and the Functions host checkpoints past a failed batch, so
 * the Azure ingest dead-letters a message the store refused for good into the Cosmos DB container itself, whole,
 * with the reason (functions/azure/ingest.ts). Those `undeliverable` letters are what exhausted their deliveries
 * here: redrive sends each body back to the hub as it was received, then deletes its letter.
 *
 * A crash between the send and the delete sends a message twice on the next redrive, which ingest's idempotence
 * absorbs. A message refused again comes back as a new letter (a new partition and sequence number, so a new id),
 * left for the next redrive. A letter whose payload the store had to cut cannot be sent back and stays.
 */
import type { EventDataBatch, EventHubProducerClient } from '@azure/event-hubs';
import type { DeadLetterItem, DeadLetterReader } from '../../shared/clouds/dead-letter-item.ts';
import type { Letter } from './letter.ts';
import { dryRunReport, type RedriveOptions, type RedriveReport } from './transport-dead-letters.ts';

export interface UndeliverableLetters {
  /** The container, for people. */
  where: string;
  /** Its letters as shown (with `since`, those written since); redrive takes the undeliverable ones. */
  letters(since?: number): AsyncIterable<Letter>;
  remove(ids: readonly string[]): Promise<void>;
}

export async function redriveToEventHubs(
  source: UndeliverableLetters,
  hub: { name: string; producer: () => EventHubProducerClient },
  { dryRun, since }: RedriveOptions,
): Promise<RedriveReport> {
  const report: RedriveReport = {
    from: `${source.where}: letters of messages the store refused for good`,
    to: `Event Hubs hub ${hub.name}`,
    method: 'send to the hub, then delete the letter',
    dryRun,
    moved: 0,
    skipped: [],
    notes: [],
  };
  const started = Date.now();
  const sendable = async function* () {
    for await (const letter of source.letters(since)) {
      if (letter.kind !== 'undeliverable' || letter.at >= started) continue;
      if (letter.payloadTruncated) {
        report.skipped.push({
          id: letter.id,
          why: `the store kept only the start of its ${letter.payloadBytes}-byte body, so it cannot be sent as it was`,
        });
        continue;
      }
      yield letter;
    }
  };
  if (dryRun) return dryRunReport(report, sendable());
  const producer = hub.producer();
  try {
    let batch = await producer.createBatch();
    let ids: string[] = [];
    const flush = async () => {
      if (ids.length === 0) return;
      await producer.sendBatch(batch);
      await source.remove(ids);
      report.moved += ids.length;
      batch = await producer.createBatch();
      ids = [];
    };
    for await (const letter of sendable()) {
      const event = { body: bodyOf(letter) };
      if (!batch.tryAdd(event)) {
        await flush();
        if (!batch.tryAdd(event)) throw new Error(tooLarge(letter, batch));
      }
      ids.push(letter.id);
    }
    await flush();
  } finally {
    await producer.close();
  }
  return report;
}

/** The message's bytes as the hub delivered them: the letter keeps text, or `base64:` for other bytes. */
function bodyOf(letter: Letter): Buffer {
  return letter.payload.startsWith('base64:')
    ? Buffer.from(letter.payload.slice(7), 'base64')
    : Buffer.from(letter.payload, 'utf8');
}

function tooLarge(letter: Letter, batch: EventDataBatch): string {
  return `letter ${letter.id} holds a ${letter.payloadBytes}-byte body, more than one Event Hubs batch takes (${batch.maxSizeInBytes} bytes); nothing after it was sent`;
}

/** The container's letters as `UndeliverableLetters` reads them. */
export function undeliverableLetters(
  reader: DeadLetterReader & { remove(ids: readonly string[]): Promise<void> },
  where: string,
  toLetter: (item: DeadLetterItem) => Letter,
): UndeliverableLetters {
  return {
    where,
    async *letters(since) {
      for await (const item of reader.list(since === undefined ? {} : { since })) yield toLetter(item);
    },
    remove: (ids) => reader.remove(ids),
  };
}
