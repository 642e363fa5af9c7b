/**
 * The README's cost model: billable units and list price per million records on each cloud's transport and
 * function, at our packing (up to 500 records and 256 KiB per message) against one record per message. Bytes per
 * record are measured by packing the `tricloud dev` synthetic stream with the producers' own `CloudPacking`.
 *
 *     node scripts/report/cost-model.ts            # markdown table, as in the README
 *     node scripts/report/cost-model.ts --json     # the figures as JSON
 *
 * Prices are USD list prices (US regions, beyond free tiers), read on 2026-11-25 from the pages in PRICES.
 */
import { CloudPacking } from '../../producers/packing.ts';
import { syntheticTrades } from '../../producers/sources/synthetic.ts';
import { encodeMessage } from '../../shared/core/index.ts';

export const PRICES = {
  /** https://aws.amazon.com/sqs/pricing/ — per request; each 64 KB chunk of a request's payload is one request. */
  sqsPerRequest: 0.4 / 1e6,
  sqsChunkBytes: 64 * 1024,
  /** https://aws.amazon.com/lambda/pricing/ — per invocation (duration billed separately). */
  lambdaPerRequest: 0.2 / 1e6,
  /** https://cloud.google.com/pubsub/pricing — publish and delivery throughput, ≥ 1000 bytes per request. */
  pubsubPerTiB: 40,
  pubsubMinRequestBytes: 1000,
  /** Billed per message besides its body: 20 bytes of publish time and the message id (~16 characters). */
  pubsubPerMessageBytes: 20 + 16,
  /** https://cloud.google.com/run/pricing — Cloud Run functions (2nd gen), per request, request-based billing. */
  cloudRunPerRequest: 0.4 / 1e6,
  /** https://azure.microsoft.com/pricing/details/event-hubs/ — Standard, per ingress event of up to 64 KB. */
  eventHubsPerEvent: 0.028 / 1e6,
  eventHubsEventBytes: 64 * 1024,
  /** Standard throughput unit: 1 MB/s or 1,000 events/s of ingress, per hour. */
  eventHubsTuPerHour: 0.03,
  /** https://azure.microsoft.com/pricing/details/functions/ — Flex Consumption on demand, per execution. */
  flexPerExecution: 0.4 / 1e6,
} as const;

/** Batch sizes the deployables use (infra/aws, scripts/build/deployables.ts, producers/publishers.ts). */
const SQS_BATCH = 10;
const LAMBDA_BATCH = 100;
const PUBSUB_PUBLISH_BATCH = 100;
const EVENT_HUBS_FUNCTION_BATCH = 100;

export interface Packing {
  name: string;
  recordsPerMessage: number;
  messageBytes: number;
}

/** Packs the dev run's records as the producer does and measures the mean message and record size. */
export function measurePacking(recordsPerMessage: number): Packing & { bytesPerRecord: number } {
  const records = syntheticTrades({ records: 100_000, series: 8, intervalMs: 250 });
  let batch = 0;
  const packing = new CloudPacking(recordsPerMessage, () => `p-0123456789ab-${batch++}`);
  for (const r of records) packing.add('aws', r);
  const messages = packing.drain();
  const bytes = messages.reduce((n, m) => n + Buffer.byteLength(m.body), 0);
  const rowBytes = records.reduce(
    (n, r) => n + encodeMessage('', [r]).length - encodeMessage('', []).length,
    0,
  );
  return {
    name: `${recordsPerMessage} per message`,
    recordsPerMessage: records.length / messages.length,
    messageBytes: bytes / messages.length,
    bytesPerRecord: rowBytes / records.length,
  };
}

export interface Line {
  cloud: string;
  what: string;
  units: (p: Packing) => number;
  price: number;
}

const perMillion = (p: Packing) => 1e6 / p.recordsPerMessage;
const sqsCall = (p: Packing, n: number) =>
  Math.max(1, Math.ceil((n * p.messageBytes) / PRICES.sqsChunkBytes));

export const LINES: Line[] = [
  {
    cloud: 'AWS',
    what: `SQS requests: SendMessageBatch, ReceiveMessage, DeleteMessageBatch of ${SQS_BATCH}, each billed per 64 KB chunk`,
    units: (p) => {
      const calls = perMillion(p) / SQS_BATCH;
      return calls * (2 * sqsCall(p, SQS_BATCH) + 1);
    },
    price: PRICES.sqsPerRequest,
  },
  {
    cloud: 'AWS',
    what: `Lambda requests (batches of up to ${LAMBDA_BATCH} messages)`,
    units: (p) => perMillion(p) / LAMBDA_BATCH,
    price: PRICES.lambdaPerRequest,
  },
  {
    cloud: 'GCP',
    what: `Pub/Sub throughput: publish (${PUBSUB_PUBLISH_BATCH} messages per request) + push (1 per request), ≥ 1000 B per request`,
    units: (p) => {
      const message = p.messageBytes + PRICES.pubsubPerMessageBytes;
      const publish =
        Math.max(PRICES.pubsubMinRequestBytes, PUBSUB_PUBLISH_BATCH * message) / PUBSUB_PUBLISH_BATCH;
      const push = Math.max(PRICES.pubsubMinRequestBytes, message);
      return perMillion(p) * (publish + push);
    },
    price: PRICES.pubsubPerTiB / 2 ** 40,
  },
  {
    cloud: 'GCP',
    what: 'Cloud Run functions requests (one push delivery per message)',
    units: perMillion,
    price: PRICES.cloudRunPerRequest,
  },
  {
    cloud: 'Azure',
    what: 'Event Hubs ingress events (each 64 KB of an event is one)',
    units: (p) => perMillion(p) * Math.ceil(p.messageBytes / PRICES.eventHubsEventBytes),
    price: PRICES.eventHubsPerEvent,
  },
  {
    cloud: 'Azure',
    what: 'Event Hubs throughput units for 10,000 records/s (1 MB/s or 1,000 events/s each), per hour',
    units: (p) =>
      Math.max(
        Math.ceil((10_000 * p.messageBytes) / p.recordsPerMessage / 1e6),
        Math.ceil(10_000 / p.recordsPerMessage / 1_000),
      ),
    price: PRICES.eventHubsTuPerHour,
  },
  {
    cloud: 'Azure',
    what: `Functions (Flex Consumption) executions (batches of up to ${EVENT_HUBS_FUNCTION_BATCH} events)`,
    units: (p) => perMillion(p) / EVENT_HUBS_FUNCTION_BATCH,
    price: PRICES.flexPerExecution,
  },
];

function format(n: number): string {
  if (n === 0) return '0';
  if (n >= 100) return Math.round(n).toLocaleString('en-US');
  return n.toPrecision(3).replace(/\.?0+$/, '');
}

function money(n: number): string {
  return `$${n.toPrecision(2)}`;
}

if (import.meta.main) {
  const packed = measurePacking(500);
  const single = measurePacking(1);
  const rows = LINES.map((line) => ({
    cloud: line.cloud,
    what: line.what,
    packed: line.units(packed),
    single: line.units(single),
    price: line.price,
  }));
  if (process.argv.includes('--json')) {
    console.log(JSON.stringify({ packed, single, rows }));
  } else {
    console.log(
      `Measured: ${format(packed.bytesPerRecord)} bytes per record; packed messages hold ${format(packed.recordsPerMessage)} records in ${format(packed.messageBytes)} bytes; one-record messages are ${format(single.messageBytes)} bytes.\n`,
    );
    console.log('| cloud | billed unit | units at 500/message | cost | units at 1/message | cost |');
    console.log('|---|---|--:|--:|--:|--:|');
    for (const r of rows) {
      const bytes = r.what.startsWith('Pub/Sub throughput');
      const units = (n: number) => (bytes ? `${format(n / 1e6)} MB` : format(n));
      console.log(
        `| ${r.cloud} | ${r.what} | ${units(r.packed)} | ${money(r.packed * r.price)} | ${units(r.single)} | ${money(r.single * r.price)} |`,
      );
    }
    // Throughput units are paid per hour for a rate, not per record, so they stay out of the per-record totals.
    for (const cloud of ['AWS', 'GCP', 'Azure']) {
      const lines = rows.filter((r) => r.cloud === cloud && !r.what.includes('throughput units'));
      const total = (k: 'packed' | 'single') => lines.reduce((n, r) => n + r[k] * r.price, 0);
      console.log(
        `| ${cloud} | **total per million records** | | **${money(total('packed'))}** | | **${money(total('single'))}** |`,
      );
    }
  }
}
