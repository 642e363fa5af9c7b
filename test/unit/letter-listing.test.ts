/**
 * What `tricloud dead-letters list` shows of one place (`scripts/dead-letters/letter-listing.ts`): counts by the
 * rule a reason states, then the newest letters; and the exit status each failure gives
 * (`scripts/dead-letters/dead-letter-failures.ts`).
 */
import { describe, expect, it } from 'vitest';
import { OptionError } from '../../scripts/cli/options.ts';
import { exitCodeOf, LetterNotFound } from '../../scripts/dead-letters/dead-letter-failures.ts';
import type { Letter } from '../../scripts/dead-letters/letter.ts';
import { collectListing, renderListing } from '../../scripts/dead-letters/letter-listing.ts';
import { ConfigError, QueryError, UnavailableError } from '../../shared/core/index.ts';

function letter(id: string, at: number, reason: string): Letter {
  return {
    cloud: 'gcp',
    source: 'store',
    kind: 'record',
    id,
    at,
    reason,
    messageId: id.split('#')[0]!,
    payload: `["X",${at}]`,
    payloadTruncated: false,
    payloadBytes: 8,
    attempts: { count: 1, note: '' },
    where: 'Firestore collection deadLetters',
  };
}

async function* stream(letters: Letter[]): AsyncIterable<Letter> {
  yield* letters;
}

const letters = [
  letter('a#0', 10, 'qty must be a finite number from 0 to 1e125, got -1'),
  letter('a#1', 30, 'qty must be a finite number from 0 to 1e125, got -7'),
  letter('b#0', 20, 'seq must be an integer from 0 to 2^53 − 1, got 1.5'),
  letter('c', 30, 'the message body is not valid JSON (Unexpected token)'),
  letter('a#2', 5, 'qty must be a finite number from 0 to 1e125, got -2'),
];

describe('collectListing', () => {
  it('counts by rule, not by the value each reason quotes, most first', async () => {
    const listing = await collectListing('here', stream(letters), { filter: {}, limit: 10 });
    expect(listing.byReason).toEqual([
      { reason: 'qty must be a finite number from 0 to 1e125', count: 3, lastAt: 30 },
      { reason: 'the message body is not valid JSON', count: 1, lastAt: 30 },
      { reason: 'seq must be an integer from 0 to 2^53 − 1', count: 1, lastAt: 20 },
    ]);
    expect(listing).toMatchObject({ read: 5, matching: 5, complete: true });
  });

  it('keeps the newest letters, ties by id, at most the limit', async () => {
    const listing = await collectListing('here', stream(letters), { filter: {}, limit: 3 });
    expect(listing.letters.map((l) => l.id)).toEqual(['a#1', 'c', 'b#0']);
  });

  it('filters before counting', async () => {
    const listing = await collectListing('here', stream(letters), {
      filter: { reason: 'qty', since: 10 },
      limit: 10,
    });
    expect(listing).toMatchObject({ read: 5, matching: 2 });
    expect(listing.byReason).toEqual([
      { reason: 'qty must be a finite number from 0 to 1e125', count: 2, lastAt: 30 },
    ]);
  });

  it('says the counts are lower bounds when the reading stopped at its cap', async () => {
    const listing = await collectListing('here', stream(letters), { filter: {}, limit: 1, cap: 5 });
    expect(listing.complete).toBe(false);
    expect(renderListing('gcp', listing, false)).toMatch(/^gcp — here: at least 5\n/);
  });

  it('renders counts, then each letter with its reason and payload, then how to see more', async () => {
    const listing = await collectListing('here', stream(letters), { filter: {}, limit: 1 });
    const text = renderListing('gcp: dead-lettered by the ingest function', listing, false);
    expect(text).toContain('      3  qty must be a finite number from 0 to 1e125\n');
    expect(text).toContain('1970-01-01T00:00:00.030Z  a#1  (invalid record)\n');
    expect(text).toContain('the newest 1 of 5 shown; --limit N shows more');
  });
});

describe('exit status', () => {
  it.each([
    [new OptionError('--cloud', 'bad'), 1],
    [new QueryError('--since', 'bad'), 1],
    [new ConfigError('AWS_REGION is not set'), 1],
    [new UnavailableError('DynamoDB is unavailable'), 2],
    [Object.assign(new Error('14 UNAVAILABLE'), { code: 14 }), 2],
    [new LetterNotFound('x', ['here'], []), 3],
  ])('%s → %i', (error, code) => {
    expect(exitCodeOf(error)).toBe(code);
  });
});
