/**
 * Raw publishing to each cloud's transport with its official client, as a producer other than ours would: the
 * body's bytes as they are (no envelope, no packing, no JSON encoding by the client), returning the id under which
 * the cloud's ingest function will see each message — the id its dead letters are named after.
 *
 * - SQS: `SendMessageBatch` (10 entries, 1 MiB per request), ids from the reply. A body is text on SQS, so bytes are
 *   sent as their UTF-8 text; bytes that are not UTF-8 are held the way Python's `surrogateescape` holds them (each
 *   bad byte a lone surrogate), which SQS, admitting only Unicode characters, must refuse.
 * - Pub/Sub: `publishMessage` with the bytes as data, ids from the reply.
 * - Event Hubs: the bytes as the event's data section, every event to partition 0, so the ids the function sees
 *   (`<partition>:<sequence number>`) follow from the partition's last sequence number before and after a batch.
 *
 * Also reads what reached each transport's own dead-letter queue (SQS redrive, the Pub/Sub dead-letter topic), and
 * captures the functions' metric lines, which they write in this process through the log sink.
 */
import { createHash } from 'node:crypto';
import { ReceiveMessageCommand, SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Message, PubSub, Subscription } from '@google-cloud/pubsub';
import { createSqsClient } from '../../shared/clouds/aws/clients.ts';
import { createEventHubProducer } from '../../shared/clouds/azure/event-hubs-clients.ts';
import { createPubSub } from '../../shared/clouds/gcp/pubsub-client.ts';
import { readAwsSettings, readAzureSettings, readGcpSettings } from '../../shared/config/environment.ts';
import type { Origin } from '../../shared/core/index.ts';
import { type InvocationMetrics, readInvocationLog } from '../../shared/observability/invocation-log.ts';
import { LOG_SINK, type LogSink } from '../../shared/observability/log.ts';
import type { Body } from './hostile-messages.ts';

export type SendResult = { ok: true; id: string } | { ok: false; error: string };

export interface RawTransport {
  origin: Origin;
  /** Publishes each body as it is, in order; says per body under which id the function sees it, or why not. */
  send(bodies: readonly Body[]): Promise<SendResult[]>;
  /** Ids of sent messages that the transport moved to its own dead-letter queue so far. */
  deadLettered(): Promise<ReadonlySet<string>>;
  close(): Promise<void>;
}

const SQS_BATCH_BYTES = 1024 * 1024;

export function rawSqs(env: Record<string, string>): RawTransport {
  const settings = readAwsSettings(env);
  const sqs: SQSClient = createSqsClient(settings);
  const sent = new Set<string>();
  const seen = new Set<string>();
  return {
    origin: 'aws',
    async send(bodies) {
      const texts = bodies.map(sqsText);
      const results: SendResult[] = new Array(bodies.length);
      let entries: number[] = [];
      let bytes = 0;
      const flush = async () => {
        if (entries.length === 0) return;
        const batch = entries;
        entries = [];
        bytes = 0;
        try {
          const reply = await sqs.send(
            new SendMessageBatchCommand({
              QueueUrl: settings.queueUrl,
              Entries: batch.map((i) => ({ Id: String(i), MessageBody: texts[i]! })),
            }),
          );
          for (const ok of reply.Successful ?? []) {
            results[Number(ok.Id)] = { ok: true, id: ok.MessageId! };
            sent.add(ok.MessageId!);
          }
          for (const failed of reply.Failed ?? []) {
            results[Number(failed.Id)] = { ok: false, error: `${failed.Code}: ${failed.Message}` };
          }
        } catch (error) {
          for (const i of batch) results[i] = { ok: false, error: errorText(error) };
        }
      };
      for (const [i, text] of texts.entries()) {
        const size = Buffer.byteLength(text, 'utf8');
        if (entries.length === 10 || bytes + size > SQS_BATCH_BYTES) await flush();
        entries.push(i);
        bytes += size;
      }
      await flush();
      return results;
    },
    async deadLettered() {
      // Received and left invisible for ten minutes: each dead-lettered message is counted once.
      for (;;) {
        const { Messages = [] } = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: settings.deadLetterQueueUrl,
            MaxNumberOfMessages: 10,
            WaitTimeSeconds: 0,
            VisibilityTimeout: 600,
          }),
        );
        for (const m of Messages) if (m.MessageId && sent.has(m.MessageId)) seen.add(m.MessageId);
        if (Messages.length === 0) return seen;
      }
    },
    async close() {
      sqs.destroy();
    },
  };
}

export function rawPubSub(env: Record<string, string>): RawTransport {
  const settings = readGcpSettings(env);
  const pubsub: PubSub = createPubSub(settings);
  // Pub/Sub forwards a message to the dead-letter topic under a new id: it is recognised by its data.
  const idsByData = new Map<string, string>();
  const seen = new Set<string>();
  let inspect: Subscription | undefined;
  return {
    origin: 'gcp',
    async send(bodies) {
      const topic = pubsub.topic(settings.topic);
      return Promise.all(
        bodies.map(async (body): Promise<SendResult> => {
          try {
            const id = await topic.publishMessage({ data: Buffer.from(body) });
            idsByData.set(digest(body), id);
            return { ok: true, id };
          } catch (error) {
            return { ok: false, error: errorText(error) };
          }
        }),
      );
    },
    async deadLettered() {
      if (!inspect) {
        inspect = pubsub.subscription(settings.deadLetterSubscription);
        inspect.on('message', (m: Message) => {
          const id = idsByData.get(digest(m.data));
          // Only ours are taken; others stay leased until the subscription closes, then come back.
          if (id) {
            seen.add(id);
            m.ack();
          }
        });
        inspect.on('error', () => {});
      }
      return seen;
    },
    async close() {
      await inspect?.close();
      await pubsub.close();
    },
  };
}

export function rawEventHubs(env: Record<string, string>): RawTransport {
  const settings = readAzureSettings(env);
  const producer = createEventHubProducer(settings);
  const partitionId = '0';
  const last = async () => (await producer.getPartitionProperties(partitionId)).lastEnqueuedSequenceNumber;
  const sendBatch = async (indices: number[], bodies: readonly Body[], results: SendResult[]) => {
    const batch = await producer.createBatch({ partitionId });
    for (const i of indices) {
      if (!batch.tryAdd({ body: Buffer.from(bodies[i]!) })) throw new Error(`event ${i} no longer fits`);
    }
    const before = await last();
    await producer.sendBatch(batch);
    const after = await last();
    if (after - before !== indices.length) {
      throw new Error(
        `partition ${partitionId} moved by ${after - before} events for ${indices.length} sent`,
      );
    }
    for (const [k, i] of indices.entries()) results[i] = { ok: true, id: `${partitionId}:${before + 1 + k}` };
  };
  return {
    origin: 'azure',
    async send(bodies) {
      const results: SendResult[] = new Array(bodies.length);
      let batch = await producer.createBatch({ partitionId });
      let indices: number[] = [];
      for (const [i, body] of bodies.entries()) {
        if (batch.tryAdd({ body: Buffer.from(body) })) {
          indices.push(i);
          continue;
        }
        if (indices.length > 0) await sendBatch(indices, bodies, results);
        batch = await producer.createBatch({ partitionId });
        indices = [];
        if (batch.tryAdd({ body: Buffer.from(body) })) indices.push(i);
        else
          results[i] = {
            ok: false,
            error: `${byteLength(body)} bytes do not fit an Event Hubs batch of ${batch.maxSizeInBytes}`,
          };
      }
      if (indices.length > 0) await sendBatch(indices, bodies, results);
      return results;
    },
    // Event Hubs has no dead-letter queue: the function's own dead-letter container is the only one.
    async deadLettered() {
      return new Set();
    },
    async close() {
      await producer.close();
    },
  };
}

/** Whether a cloud's transport is a local server (an endpoint or emulator given) rather than the cloud's own. */
export function isLocalTransport(origin: Origin, env: Record<string, string>): boolean {
  switch (origin) {
    case 'aws':
      return readAwsSettings(env).sqsEndpoint !== undefined;
    case 'gcp':
      return readGcpSettings(env).pubsubEmulatorHost !== undefined;
    case 'azure':
      return readAzureSettings(env).eventHubConnectionString.includes('UseDevelopmentEmulator=true');
  }
}

export function rawTransport(origin: Origin, env: Record<string, string>): RawTransport {
  switch (origin) {
    case 'aws':
      return rawSqs(env);
    case 'gcp':
      return rawPubSub(env);
    case 'azure':
      return rawEventHubs(env);
  }
}

/**
 * The functions' metric lines, as their cloud's log service would receive them: installed as the log sink every
 * function's `log.ts` finds on `globalThis`, at `info` so every invocation's line is kept. Only the lines that
 * name a watched message are kept (and those of the latest few thousand ids not watched yet, for a `watch` that comes
 * after the delivery), and only what a reader needs of them.
 */
export interface MetricLines {
  /** Lines naming `id` among their messages. */
  of(id: string): readonly InvocationMetrics[];
  /** Lines seen so far, all messages. */
  readonly count: number;
  /** Keeps the lines of these messages, those already logged included. */
  watch(ids: Iterable<string>): void;
  uninstall(): void;
}

export function captureMetricLines(): MetricLines {
  const watched = new Set<string>();
  const byId = new Map<string, InvocationMetrics[]>();
  // Lines of ids not watched yet, the latest few thousand: a transport can deliver a message, and the function log
  // its line, before the send that returned its id has been awaited and the id watched.
  const early = new Map<string, InvocationMetrics[]>();
  const EARLY_IDS = 5_000;
  let count = 0;
  const previousLevel = process.env.TRICLOUD_LOG_LEVEL;
  const sink: LogSink = (_level, line) => {
    count++;
    const read = readInvocationLog(line);
    if (!read) return;
    const ids = messageIdsOf(read.entry);
    const kept: InvocationMetrics = {
      ...read,
      entry: { messageIds: ids, failureReasons: read.failureReasons, firstError: read.firstError },
    };
    for (const id of ids) {
      const into = watched.has(id) ? byId : early;
      into.set(id, [...(into.get(id) ?? []), kept]);
    }
    for (const id of early.keys()) {
      if (early.size <= EARLY_IDS) break;
      early.delete(id);
    }
  };
  process.env.TRICLOUD_LOG_LEVEL = 'info';
  (globalThis as { [LOG_SINK]?: LogSink })[LOG_SINK] = sink;
  return {
    of: (id) => byId.get(id) ?? [],
    get count() {
      return count;
    },
    watch(ids) {
      for (const id of ids) {
        watched.add(id);
        const logged = early.get(id);
        if (logged) byId.set(id, [...(byId.get(id) ?? []), ...logged]);
        early.delete(id);
      }
    },
    uninstall() {
      delete (globalThis as { [LOG_SINK]?: LogSink })[LOG_SINK];
      if (previousLevel === undefined) delete process.env.TRICLOUD_LOG_LEVEL;
      else process.env.TRICLOUD_LOG_LEVEL = previousLevel;
    },
  };
}

/** Message ids on a line of any cloud (Azure keeps them as one comma-separated dimension). */
function messageIdsOf(entry: Record<string, unknown>): string[] {
  if (Array.isArray(entry.messageIds)) return entry.messageIds.map(String);
  const dimensions = entry.customDimensions as { messageIds?: string } | undefined;
  return dimensions?.messageIds ? dimensions.messageIds.split(',') : [];
}

/** A body as SQS text: UTF-8 decoded; a byte that is not part of a UTF-8 character becomes a lone surrogate. */
export function sqsText(body: Body): string {
  if (typeof body === 'string') return body;
  const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  try {
    return strict.decode(body);
  } catch {
    let text = '';
    for (let i = 0; i < body.length; ) {
      const length = utf8Length(body[i]!);
      try {
        text += strict.decode(body.subarray(i, i + Math.max(1, length)));
        i += Math.max(1, length);
      } catch {
        text += String.fromCharCode(0xdc00 + body[i]!);
        i++;
      }
    }
    return text;
  }
}

function utf8Length(lead: number): number {
  if (lead < 0x80) return 1;
  if (lead >= 0xc2 && lead < 0xe0) return 2;
  if (lead >= 0xe0 && lead < 0xf0) return 3;
  if (lead >= 0xf0 && lead < 0xf5) return 4;
  return 0;
}

function digest(body: Body): string {
  return createHash('sha256').update(body).digest('hex');
}

export function byteLength(body: Body): number {
  return typeof body === 'string' ? Buffer.byteLength(body, 'utf8') : body.byteLength;
}

function errorText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return `${error.name}: ${error.message}`;
}
