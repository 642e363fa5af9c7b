/**
 * The SQS dead-letter queue, where SQS moves a records message after the source queue's `maxReceiveCount`
 * receives (infra/aws/queues.tf's redrive policy).
 *
 * Reading does not consume: messages are received with a visibility timeout of {@link PEEK_HIDE_SECONDS} (so one
 * listing sees each once) and handed straight back with `ChangeMessageVisibility` 0 when the listing ends; should
 * the process die first, they reappear by themselves when the timeout passes. Each reading adds one to a
 * message's `ApproximateReceiveCount` on the dead-letter queue, which has no redrive policy of its own, so that
 * moves nothing.
 *
 * Redrive uses SQS's own `StartMessageMoveTask` (the server moves the messages, keeping their attributes); where
 * the server lacks it, it receives, sends to the source queue, then deletes — a crash between send and delete
 * sends a message twice, which ingest's idempotence absorbs. Either way only what was in the dead-letter queue
 * when the redrive started moves: a message that fails again and comes back is left for the next redrive.
 */
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ListMessageMoveTasksCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { createSqsClient } from '../../shared/clouds/aws/clients.ts';
import type { AwsSettings } from '../../shared/clouds/settings.ts';
import { waitUntil } from '../machine/wait-until.ts';
import { type Letter, TRANSPORT_ID_PREFIX } from './letter.ts';
import {
  dryRunReport,
  type RedriveOptions,
  type RedriveReport,
  type TransportDeadLetters,
} from './transport-dead-letters.ts';

/** How long a listing keeps the messages it read out of sight before handing them back. */
export const PEEK_HIDE_SECONDS = 120;
/** How long a move task may run before the command stops waiting for it (it goes on in SQS). */
const MOVE_TIMEOUT_MS = 10 * 60_000;

export function sqsDeadLetterQueue(settings: AwsSettings): TransportDeadLetters {
  return new SqsDeadLetterQueue(settings);
}

class SqsDeadLetterQueue implements TransportDeadLetters {
  readonly where: string;
  readonly peekNote =
    `listing received each message with a ${PEEK_HIDE_SECONDS} s visibility timeout and handed it straight back (visibility 0): nothing was deleted; each listing adds one to the message's ApproximateReceiveCount on the dead-letter queue, which has no redrive policy of its own`;
  readonly #sqs: SQSClient;
  readonly #settings: AwsSettings;
  #queues: Promise<{ dlqArn: string; queueArn: string; maxReceiveCount?: number }> | undefined;

  constructor(settings: AwsSettings) {
    this.#settings = settings;
    this.#sqs = createSqsClient(settings);
    this.where = `SQS queue ${queueName(settings.deadLetterQueueUrl)}`;
  }

  async *peek(cap: number): AsyncIterable<Letter> {
    const { maxReceiveCount } = await this.#queueFacts();
    const handles: string[] = [];
    try {
      let seen = 0;
      for await (const batch of this.#receive(PEEK_HIDE_SECONDS)) {
        // Every message received is handed back, those past the cap too.
        handles.push(...batch.map((m) => m.ReceiptHandle ?? ''));
        for (const message of batch) {
          if (seen++ >= cap) return;
          yield this.#letter(message, maxReceiveCount);
        }
      }
    } finally {
      await this.#handBack(handles);
    }
  }

  async redrive({ dryRun, since }: RedriveOptions): Promise<RedriveReport> {
    const report: RedriveReport = {
      from: this.where,
      to: `SQS queue ${queueName(this.#settings.queueUrl)}`,
      method: 'StartMessageMoveTask',
      dryRun,
      moved: 0,
      skipped: [],
      notes: [],
    };
    if (since !== undefined) {
      // A move task takes the whole queue: choosing by time takes receiving each message.
      report.method = 'receive, send, delete';
      if (dryRun) return dryRunReport(report, this.peek(Number.POSITIVE_INFINITY), since);
      report.moved = await this.#moveByHand(since);
      return report;
    }
    if (dryRun) {
      report.method = 'StartMessageMoveTask (or receive, send, delete where the server lacks it)';
      return dryRunReport(report, this.peek(Number.POSITIVE_INFINITY));
    }
    try {
      report.moved = await this.#moveTask();
    } catch (error) {
      report.notes.push(
        `StartMessageMoveTask did not run (${describe(error)}): moved by receive, send to the source queue, delete`,
      );
      report.method = 'receive, send, delete';
      report.moved = await this.#moveByHand();
    }
    return report;
  }

  async close(): Promise<void> {
    this.#sqs.destroy();
  }

  /** SQS moves the messages itself; resolves to how many it moved. */
  async #moveTask(): Promise<number> {
    const { dlqArn, queueArn } = await this.#queueFacts();
    const { TaskHandle } = await this.#sqs.send(
      new StartMessageMoveTaskCommand({ SourceArn: dlqArn, DestinationArn: queueArn }),
    );
    const task = await waitUntil(
      async () => {
        const { Results = [] } = await this.#sqs.send(new ListMessageMoveTasksCommand({ SourceArn: dlqArn }));
        // A finished task may no longer carry its handle: then it is the newest one.
        const mine =
          Results.find((t) => t.TaskHandle === TaskHandle) ??
          [...Results].sort((a, b) => (b.StartedTimestamp ?? 0) - (a.StartedTimestamp ?? 0))[0];
        return mine?.Status === 'RUNNING' || mine?.Status === 'CANCELLING' ? undefined : mine;
      },
      { description: `SQS to finish moving ${this.where} back`, timeoutMs: MOVE_TIMEOUT_MS, intervalMs: 250 },
    );
    if (task?.Status !== 'COMPLETED') {
      throw new Error(
        `the move task ended ${task?.Status ?? 'unseen'}${task?.FailureReason ? ` (${task.FailureReason})` : ''} after moving ${task?.ApproximateNumberOfMessagesMoved ?? 0}`,
      );
    }
    return task.ApproximateNumberOfMessagesMoved ?? 0;
  }

  /**
   * Receive, send to the source queue, delete what was sent: only what was there when this started (and, with
   * `since`, dead-lettered at or after it).
   */
  async #moveByHand(since = 0): Promise<number> {
    const started = Date.now();
    let moved = 0;
    const later: string[] = [];
    try {
      for await (const batch of this.#receive(60)) {
        const now = batch.filter((m) => {
          const sent = Number(m.Attributes?.SentTimestamp ?? 0);
          return sent < started && sent >= since;
        });
        later.push(...batch.filter((m) => !now.includes(m)).map((m) => m.ReceiptHandle ?? ''));
        if (now.length === 0) continue;
        const { Successful = [], Failed = [] } = await this.#sqs.send(
          new SendMessageBatchCommand({
            QueueUrl: this.#settings.queueUrl,
            Entries: now.map((m, i) => ({
              Id: String(i),
              MessageBody: m.Body ?? '',
              ...(m.MessageAttributes ? { MessageAttributes: m.MessageAttributes } : {}),
            })),
          }),
        );
        if (Failed.length > 0) {
          later.push(...Failed.map((f) => now[Number(f.Id)]?.ReceiptHandle ?? ''));
          throw new Error(
            `SQS refused to send ${Failed.length} back: ${Failed[0]?.Code} ${Failed[0]?.Message}`,
          );
        }
        await this.#sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: this.#settings.deadLetterQueueUrl,
            Entries: Successful.map((s) => ({
              Id: s.Id ?? '',
              ReceiptHandle: now[Number(s.Id)]?.ReceiptHandle ?? '',
            })),
          }),
        );
        moved += Successful.length;
      }
    } finally {
      await this.#handBack(later);
    }
    return moved;
  }

  /**
   * Batches of the dead-letter queue's messages, each hidden for `hideSeconds`, until a receive finds none. A short
   * poll samples only some of SQS's servers, so an empty one is confirmed by a one-second long poll, which asks all.
   */
  async *#receive(hideSeconds: number): AsyncIterable<Message[]> {
    for (let confirming = false; ; ) {
      const { Messages = [] } = await this.#sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: this.#settings.deadLetterQueueUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: confirming ? 1 : 0,
          VisibilityTimeout: hideSeconds,
          MessageAttributeNames: ['All'],
          MessageSystemAttributeNames: ['All'],
          // Servers that predate MessageSystemAttributeNames (local-aws-sqs among them) read the older name.
          AttributeNames: ['All'],
        }),
      );
      if (Messages.length === 0) {
        if (confirming) return;
        confirming = true;
        continue;
      }
      confirming = false;
      yield Messages;
    }
  }

  /** Makes received messages visible again at once. */
  async #handBack(handles: readonly string[]): Promise<void> {
    for (let i = 0; i < handles.length; i += 10) {
      await this.#sqs.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: this.#settings.deadLetterQueueUrl,
          Entries: handles
            .slice(i, i + 10)
            .map((h, j) => ({ Id: String(j), ReceiptHandle: h, VisibilityTimeout: 0 })),
        }),
      );
    }
  }

  #queueFacts() {
    this.#queues ??= (async () => {
      const [dlq, queue] = await Promise.all(
        [
          { url: this.#settings.deadLetterQueueUrl, names: ['QueueArn'] as const },
          { url: this.#settings.queueUrl, names: ['QueueArn', 'RedrivePolicy'] as const },
        ].map(({ url, names }) =>
          this.#sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: [...names] })),
        ),
      );
      const policy = queue?.Attributes?.RedrivePolicy;
      const maxReceiveCount = policy ? Number(JSON.parse(policy).maxReceiveCount) : undefined;
      return {
        dlqArn: dlq?.Attributes?.QueueArn ?? '',
        queueArn: queue?.Attributes?.QueueArn ?? '',
        ...(maxReceiveCount === undefined || Number.isNaN(maxReceiveCount) ? {} : { maxReceiveCount }),
      };
    })();
    return this.#queues;
  }

  #letter(message: Message, maxReceiveCount: number | undefined): Letter {
    const id = message.MessageId ?? '';
    const body = message.Body ?? '';
    const attributes = message.Attributes ?? {};
    return {
      cloud: 'aws',
      source: 'transport',
      kind: 'exhausted',
      id: `${TRANSPORT_ID_PREFIX.aws}${id}`,
      at: Number(attributes.SentTimestamp ?? 0),
      reason:
        `exhausted its deliveries: the ingest function failed it on ${maxReceiveCount ?? 'each of the'} receives the source queue allows` +
        `; its metric lines name why under message id ${id}`,
      messageId: id,
      payload: body,
      payloadTruncated: false,
      payloadBytes: Buffer.byteLength(body, 'utf8'),
      attempts:
        maxReceiveCount === undefined
          ? { note: "the source queue's redrive policy could not be read" }
          : {
              count: maxReceiveCount,
              note: "the source queue's maxReceiveCount: SQS moves a message after that many receives",
            },
      where: this.where,
      details: Object.fromEntries(
        Object.entries(attributes).filter((entry): entry is [string, string] => entry[1] !== undefined),
      ),
    };
  }
}

function queueName(url: string): string {
  return url.split('/').filter(Boolean).at(-1) ?? url;
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
