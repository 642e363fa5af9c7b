/** Status models and candle sets as the gatherer makes them, for the renderer's and the live page's tests. */
import type { CandleSet } from '../../scripts/status/candles.ts';
import type { StatusSource } from '../../scripts/status/status-gatherer.ts';
import type { CloudStatus, StatusModel } from '../../scripts/status/status-model.ts';
import { ORIGINS, type Origin, type ReadWindow } from '../../shared/core/index.ts';

export const AT = Date.UTC(2026, 10, 28, 1, 23, 45);

const reachable = (cloud: Origin, over: Partial<CloudStatus> = {}): CloudStatus => ({
  cloud,
  reachable: true,
  problems: [],
  local: true,
  transport: { kind: 'SQS', backlog: 3, inFlight: 1, deadLetterDepth: 0 },
  deadLetters: {
    total: 12,
    lastHour: 12,
    refusedMessages: 0,
    byReason: [{ reason: 'seq must be an integer from 0 to 2^53 − 1', count: 12, lastAt: AT - 5_000 }],
    complete: true,
  },
  documents: {
    windows: 424,
    slices: 430,
    inexact: 1,
    conflicts: 1,
    series: [{ series: 'BTCUSDT', window: '1m', first: AT - 3_600_000, last: AT - 60_000 }],
    complete: true,
  },
  sync: ORIGINS.filter((o) => o !== cloud).map((source) => ({
    source,
    watermarkAt: AT - 2_000,
    pending: 0,
    lagMs: 0,
    retrying: 0,
  })),
  failures: { deadLettersLastHour: 12 },
  notes: [`${cloud}: what a local server cannot report`],
  tookMs: 40,
  ...over,
});

/** AWS cut (refused), GCP and Azure answering, as after `tricloud dev --chaos`. */
export function statusModel(version = 1): StatusModel {
  return {
    at: AT,
    version,
    clouds: {
      aws: {
        cloud: 'aws',
        reachable: false,
        problems: [
          'SQS: connect ECONNREFUSED 127.0.0.1:4566',
          'DynamoDB: connect ECONNREFUSED 127.0.0.1:4567',
        ],
        local: true,
        sync: [
          { source: 'gcp', error: 'the sync state did not answer: connect ECONNREFUSED 127.0.0.1:4567' },
          { source: 'azure', error: 'the sync state did not answer: connect ECONNREFUSED 127.0.0.1:4567' },
        ],
        failures: {},
        notes: ['aws: no CloudWatch here'],
        tookMs: 12,
      },
      gcp: reachable('gcp', {
        transport: { kind: 'Pub/Sub', deadLetterDepth: 3 },
        sync: [
          {
            source: 'aws',
            watermarkAt: AT - 90_000,
            error: "aws's DynamoDB did not answer: connect ECONNREFUSED",
          },
          {
            source: 'azure',
            lastRunAt: AT - 1_000,
            watermarkAt: AT - 2_000,
            pending: 1_000,
            pendingAtLeast: true,
            lagMs: 125_000,
            retrying: 2,
          },
        ],
      }),
      azure: reachable('azure', {
        transport: {
          kind: 'Event Hubs',
          partitions: [
            { partition: '0', lastEnqueued: 41 },
            { partition: '1', lastEnqueued: -1 },
          ],
          deadLetterDepth: 1,
        },
      }),
    },
    notes: ['last sync run: not recorded'],
  };
}

/** `n` one-minute candles ending a minute before {@link AT}, rising then falling. */
export function candles(n: number, cloud: Origin): ReadWindow[] {
  return Array.from({ length: n }, (_, i) => {
    const open = 100 + i + (cloud === 'gcp' ? 0.5 : 0);
    const close = i % 3 === 0 ? open - 2 : open + 2;
    return {
      series: 'BTCUSDT',
      window: '1m',
      start: AT - (n - i) * 60_000,
      open,
      high: Math.max(open, close) + 1,
      low: Math.min(open, close) - 1,
      close,
      volume: 10,
      vwap: open,
      count: 5,
      exact: true,
    };
  });
}

/** A stand-in for the clouds: the model and candles a test sets, served as the gatherer would. */
export class StubStatusSource implements StatusSource {
  model = statusModel();
  candleCount: Record<Origin, number> = { aws: 0, gcp: 20, azure: 20 };

  async gather(): Promise<StatusModel> {
    return structuredClone(this.model);
  }

  async candles(series: string, window: string): Promise<CandleSet> {
    const from = AT - 60 * 60_000;
    const clouds = Object.fromEntries(
      ORIGINS.map((o) => [
        o,
        o === 'aws'
          ? { error: 'connect ECONNREFUSED 127.0.0.1:4567' }
          : { windows: candles(this.candleCount[o], o) },
      ]),
    ) as CandleSet['clouds'];
    return { series, window, from, to: AT, clouds };
  }

  async close(): Promise<void> {}
}
