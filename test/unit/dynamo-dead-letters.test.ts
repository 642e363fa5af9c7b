/**
 * The DynamoDB dead-letter sink against a scripted client (issue 15): batches of at most 25, a bounded number of
 * calls in flight, unprocessed items written again a bounded number of times after the core's backoff (on a
 * stepping clock, so no real time passes), then a transient error.
 */
import type { BatchWriteItemCommand, DynamoDBClient, WriteRequest } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { DynamoDeadLetters } from '../../shared/clouds/aws/dynamo-dead-letters.ts';
import { type DeadLetter, isTransient, ThrottledError } from '../../shared/core/index.ts';
import { SteppingClock } from '../../shared/core/testing/index.ts';

const TABLE = 'deadLetters';
const RETRY = { attempts: 4, baseMs: 100, maxMs: 300 };

function letters(n: number): DeadLetter[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `m#${i}`,
    origin: 'aws',
    messageId: 'm',
    row: i,
    reason: 'bad row',
    payload: `[${i}]`,
    at: 1,
  }));
}

/** A client that answers each `BatchWriteItem` with what `unprocessed` leaves over, recording what it saw. */
function scriptedClient(unprocessed: (requests: WriteRequest[], call: number) => WriteRequest[]) {
  const calls: WriteRequest[][] = [];
  const written = new Set<string>();
  let inFlight = 0;
  let most = 0;
  const client = {
    async send(command: BatchWriteItemCommand) {
      const requests = command.input.RequestItems?.[TABLE] ?? [];
      calls.push(requests);
      most = Math.max(most, ++inFlight);
      await new Promise((resolve) => setImmediate(resolve));
      inFlight--;
      const left = unprocessed(requests, calls.length);
      for (const r of requests) if (!left.includes(r)) written.add(r.PutRequest?.Item?.id?.S ?? '');
      return { UnprocessedItems: left.length > 0 ? { [TABLE]: left } : {} };
    },
  };
  const clock = new SteppingClock(0, 0);
  const sink = new DynamoDeadLetters({
    client: client as unknown as DynamoDBClient,
    table: TABLE,
    retry: RETRY,
    clock,
    // The longest wait full jitter allows, so the test sees each ceiling.
    random: () => 0.999_999,
  });
  return { sink, calls, written, most: () => most, clock };
}

describe('DynamoDB dead letters', () => {
  it('writes 1,000 letters in calls of at most 25, a few at a time', async () => {
    const { sink, calls, written, most } = scriptedClient(() => []);
    await sink.put(letters(1_000));
    expect(calls).toHaveLength(40);
    expect(Math.max(...calls.map((c) => c.length))).toBe(25);
    expect(most()).toBeLessThanOrEqual(4);
    expect(written.size).toBe(1_000);
  });

  it('writes unprocessed items again until none are left', async () => {
    // Every other item is left unprocessed the first time it is sent.
    const seen = new Set<WriteRequest>();
    const { sink, written, calls } = scriptedClient((requests) => {
      const left = requests.filter((r, i) => i % 2 === 1 && !seen.has(r));
      for (const r of requests) seen.add(r);
      return left;
    });
    await sink.put(letters(100));
    expect(written.size).toBe(100);
    expect(calls).toHaveLength(8);
  });

  it('gives up after a bounded number of attempts with a transient error, so the message comes back', async () => {
    const { sink, calls, clock } = scriptedClient((requests) => requests.slice(1));
    const error = await sink.put(letters(25)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ThrottledError);
    expect(isTransient(error)).toBe(true);
    expect((error as Error).message).toContain('left 21 of 25 unprocessed after 4 attempts');
    expect(calls).toHaveLength(RETRY.attempts);
    // Three waits between four attempts, each under its doubling ceiling, capped: < 100 + 200 + 300 ms.
    expect(clock.now()).toBeGreaterThan(590);
    expect(clock.now()).toBeLessThan(600);
  });
});
