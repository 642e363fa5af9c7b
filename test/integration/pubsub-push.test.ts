/**
 * GCP ingest as it is deployed (issue 17): the BUILT bundle inside the real Functions Framework server, fed by a
 * Pub/Sub push subscription on the records topic with the deployed dead-letter policy
 * (`scripts/trigger-hosts/pubsub-push-host.ts`). The framework turns each push body into the CloudEvent; these
 * tests check what it builds, that records end exact, that an invalid message is dead-lettered with its reason,
 * that a failed invocation is pushed again until it succeeds, and what becomes of a message the framework does not
 * convert.
 *
 * The push subscription is a second one on the records topic, so the pull subscription of the other suites gets
 * every message too: everything here is told apart by series names, batch ids and message ids of its own.
 */
import type { Message, PubSub, Subscription } from '@google-cloud/pubsub';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type PubSubPushHost,
  type PushDelivery,
  startPubSubPushHost,
} from '../../scripts/trigger-hosts/pubsub-push-host.ts';
import { createPubSub } from '../../shared/clouds/gcp/pubsub-client.ts';
import { envNames, type GcpSettings, readGcpSettings } from '../../shared/config/environment.ts';
import { type DataRecord, encodeMessage, parseWindows, windowId } from '../../shared/core/index.ts';
import { LOG_SINK, type LogSink } from '../../shared/observability/log.ts';
import { type CloudHarness, gcpHarness, useStackEnv } from '../helpers/cloud-harness.ts';
import { eventually } from '../helpers/eventually.ts';
import { expectExact, exportedWindows, referenceWindows, sortWindows, T0 } from '../helpers/records.ts';

const WINDOWS = parseWindows('1m');
const MESSAGE_TYPE = 'type.googleapis.com/google.pubsub.v1.PubsubMessage';

let gcp: GcpSettings;
let cloud: CloudHarness;
let pubsub: PubSub;
let host: PubSubPushHost;
const deliveries: PushDelivery[] = [];
/** The functions' log lines (their one line per invocation), read back as Cloud Logging would index them. */
const lines: LogLine[] = [];
interface LogLine {
  message?: string;
  messageIds?: string[];
  [field: string]: unknown;
}
const globals = globalThis as { [LOG_SINK]?: LogSink };
let savedLogLevel: string | undefined;

const onEmulator = () => readGcpSettings(useStackEnv()).pubsubEmulatorHost !== undefined;

beforeAll(async () => {
  gcp = readGcpSettings(useStackEnv());
  if (gcp.pubsubEmulatorHost === undefined) return;
  cloud = gcpHarness();
  pubsub = createPubSub(gcp);
  savedLogLevel = process.env.TRICLOUD_LOG_LEVEL;
  process.env.TRICLOUD_LOG_LEVEL = 'info';
  globals[LOG_SINK] = (_level, line) => lines.push(JSON.parse(line) as LogLine);
  host = await startPubSubPushHost({
    pubsub,
    projectId: gcp.projectId,
    topic: gcp.topic,
    deadLetterTopic: gcp.deadLetterTopic,
    // No retry policy: the emulator pushes a failed message again after ≈ 1 s. With the deployed one (10 s to
    // 600 s) it waited 1 s, 16 s, 18 s and 26 s between attempts: right for production, too slow for a test.
    retryPolicy: null,
    onDelivery: (delivery) => deliveries.push(delivery),
  });
});

afterAll(async () => {
  await host?.stop();
  delete globals[LOG_SINK];
  if (savedLogLevel === undefined) delete process.env.TRICLOUD_LOG_LEVEL;
  else process.env.TRICLOUD_LOG_LEVEL = savedLogLevel;
  await cloud?.close();
  await pubsub?.close();
});

/** A stream of its own: a unique series over three minutes, awkward decimals, some zero qty. */
function stream(tag: string, n: number): DataRecord[] {
  const series = `push-${tag}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
  return Array.from({ length: n }, (_, i) => ({
    series,
    seq: 1_000 + i,
    ts: T0 + i * 1_500,
    value: 100 + ((i * 37) % 101) / 10,
    qty: i % 7 === 0 ? 0 : 0.1 * (i % 5),
  }));
}

function bodies(records: readonly DataRecord[], perMessage: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < records.length; i += perMessage)
    out.push(encodeMessage(`${records[0]!.series}-b${i}`, records.slice(i, i + perMessage)));
  return out;
}

const publish = (body: string | Buffer, attributes?: Record<string, string>) =>
  pubsub.topic(gcp.topic).publishMessage({ data: Buffer.from(body), ...(attributes ? { attributes } : {}) });

const deliveriesOf = (id: string) => deliveries.filter((d) => d.event.id === id);

/** Waits until the function has returned for each message (its writes are done, the framework answers 2xx). */
async function acked(ids: readonly string[]) {
  await eventually(
    async () => ids.filter((id) => !deliveriesOf(id).some((d) => d.error === undefined)),
    (pending) => pending.length === 0,
    { what: 'a successful invocation for every message' },
  );
}

/** Polls Firestore until it holds exactly the reference's windows with their counts, then compares all fields. */
async function expectStoreExact(records: readonly DataRecord[]) {
  const reference = referenceWindows(records, WINDOWS);
  const ids = reference.map((w) => windowId(w));
  const actual = await eventually(
    async () => sortWindows(exportedWindows((await cloud.store.read(ids)).values())),
    (windows) =>
      windows.length === reference.length && windows.every((w, i) => w.count === reference[i]?.count),
    { what: 'Firestore documents to match the reference' },
  );
  expectExact(actual, reference);
}

describe.runIf(onEmulator())('GCP ingest behind a Pub/Sub push subscription, as deployed', () => {
  // First: the bundle builds its use case on its first invocation, which a missing setting makes fail.
  it('pushes a message again after the function failed it, until it is stored', async () => {
    expect(host.stats.invocations).toBe(0);
    const variable = envNames.gcp.aggregatesCollection;
    const saved = process.env[variable];
    delete process.env[variable];
    const records = stream('redelivered', 30);
    let id: string;
    try {
      id = await publish(bodies(records, 30)[0]!);
      await eventually(
        async () => deliveriesOf(id).filter((d) => d.error),
        (failed) => failed.length >= 2,
        { what: 'two failed invocations of the message' },
      );
    } finally {
      process.env[variable] = saved;
    }
    await acked([id]);
    await expectStoreExact(records);
    const attempts = deliveriesOf(id);
    expect(attempts.at(-1)?.error).toBeUndefined();
    expect(attempts.slice(0, -1).every((d) => d.error?.includes(variable))).toBe(true);
    expect(host.stats.responses[500]).toBeGreaterThanOrEqual(2);
    // Each failed invocation said so on its line, under the same CloudEvent id: the message id.
    const crashed = lines.filter((l) => l.message === 'ingest crashed' && l.messageIds?.join() === id);
    expect(crashed.length).toBe(attempts.length - 1);
  });

  it('turns valid messages into exact window documents', async () => {
    const records = stream('valid', 120);
    const ids = await Promise.all(bodies(records, 25).map((body) => publish(body)));
    await acked(ids);
    await expectStoreExact(records);
    for (const id of ids) expect(deliveriesOf(id).map((d) => d.error)).toEqual([undefined]);
  });

  it('hands the function the messagePublished CloudEvent the framework builds from the push body', async () => {
    const records = stream('shape', 3);
    const [body] = bodies(records, 3);
    const id = await publish(body!, { origin: 'push-test' });
    const [delivery] = await eventually(
      async () => deliveriesOf(id),
      (found) => found.length === 1 && found[0]?.error === undefined,
      { what: 'the invocation of the message' },
    );
    const { event } = delivery!;
    const publishTime = event.data?.message.publishTime;
    expect(event).toEqual({
      specversion: '1.0',
      id,
      type: 'google.cloud.pubsub.topic.v1.messagePublished',
      // From the push endpoint's path, as Terraform sets it.
      source: `//pubsub.googleapis.com/projects/${gcp.projectId}/topics/${gcp.topic}`,
      time: publishTime,
      datacontenttype: 'application/json',
      data: {
        // The framework keeps neither the subscription nor a delivery attempt; the pull host adds the former.
        message: {
          '@type': MESSAGE_TYPE,
          data: Buffer.from(body!).toString('base64'),
          attributes: { origin: 'push-test' },
          messageId: id,
          publishTime,
        },
      },
    });
    expect(Date.parse(publishTime ?? '')).toBeGreaterThan(Date.now() - 60_000);
    const line = lines.find((l) => l.message !== 'ingest crashed' && l.messageIds?.join() === id);
    expect(line).toMatchObject({
      severity: 'INFO',
      'logging.googleapis.com/labels': { cloud: 'gcp', function: 'ingest', invocationId: id },
      messageIds: [id],
      batchIds: [`${records[0]!.series}-b0`],
      metrics: { messages: 1, records: 3 },
    });
  });
});

describe.runIf(onEmulator())('dead letters behind the push subscription', () => {
  it('dead-letters an undecodable message whole with its reason, and acks it', async () => {
    const marker = `{"not":"an envelope","marker":"${Math.random().toString(36).slice(2)}"}`;
    const id = await publish(marker);
    await acked([id]);
    const letter = await eventually(
      () => cloud.deadLetters.read(id),
      (found) => found !== undefined,
      { what: 'the undecodable message in the Firestore dead letters' },
    );
    expect(letter).toMatchObject({ origin: 'gcp', messageId: id, payload: marker });
    expect(letter?.reason).toContain('unknown envelope version missing');
    expect(letter?.row).toBeUndefined();
    // Dead-lettered by the function, which then answered 2xx: Pub/Sub has nothing to redeliver.
    expect(deliveriesOf(id).map((d) => d.error)).toEqual([undefined]);
  });

  it('fails a message without data, which the framework does not convert, into the dead-letter topic', async () => {
    const marker = Math.random().toString(36).slice(2);
    // Pub/Sub takes a message with attributes and no data; the framework converts a push body only when its
    // message has data, so the function gets the raw body as the "CloudEvent" and finds no message in it.
    await pubsub.topic(gcp.topic).publishMessage({ attributes: { marker } });
    const forwarded = await deadLettered(marker);
    const ours = deliveries.filter(
      (d) => (d.event as unknown as PushBody).message?.attributes?.marker === marker,
    );
    expect(ours).toHaveLength(5);
    expect(ours.every((d) => d.error?.includes('carries no Pub/Sub message'))).toBe(true);
    expect(forwarded.attributes).toMatchObject({
      marker,
      CloudPubSubDeadLetterSourceDeliveryCount: '5',
      CloudPubSubDeadLetterSourceSubscription: host.subscription.split('/').at(-1),
    });
  });
});

interface PushBody {
  subscription?: string;
  message?: { attributes?: Record<string, string> };
}

/** Waits for the message with `marker` on the dead-letter topic; others on the shared subscription are left. */
async function deadLettered(marker: string): Promise<Message> {
  const inspect: Subscription = pubsub.subscription(gcp.deadLetterSubscription);
  let found: Message | undefined;
  inspect.on('message', (m: Message) => {
    if (m.attributes.marker !== marker) return;
    found = m;
    m.ack();
  });
  inspect.on('error', () => {});
  try {
    return (await eventually(
      async () => found,
      (m) => m !== undefined,
      { what: 'the message on the dead-letter topic' },
    )) as Message;
  } finally {
    await inspect.close();
  }
}
