/**
 * The one poll-until (`scripts/machine/wait-until.ts`): it returns the first value an attempt finds, counts thrown
 * errors as "not yet" unless told they are final, stops early for a reason, and on timeout says what it waited for
 * and what it last saw.
 */
import { describe, expect, it } from 'vitest';
import { waitUntil } from '../../scripts/machine/wait-until.ts';

const fast = { timeoutMs: 10_000, intervalMs: 1 };

describe('waitUntil', () => {
  it('returns the first value an attempt finds, counting thrown errors as not yet', async () => {
    let calls = 0;
    const value = await waitUntil(
      async () => {
        calls++;
        if (calls < 3) throw new Error('not listening yet');
        return calls < 5 ? undefined : `answered on call ${calls}`;
      },
      { description: 'the server', ...fast },
    );
    expect(value).toBe('answered on call 5');
  });

  it('rethrows at once an error that `retryable` says is final', async () => {
    let calls = 0;
    const refused = Object.assign(new Error('listen EACCES'), { code: 'EACCES' });
    await expect(
      waitUntil(
        async () => {
          calls++;
          throw calls === 1 ? Object.assign(new Error('busy'), { code: 'EADDRINUSE' }) : refused;
        },
        {
          description: 'the port',
          ...fast,
          retryable: (e) => (e as { code?: string }).code === 'EADDRINUSE',
        },
      ),
    ).rejects.toBe(refused);
    expect(calls).toBe(2);
  });

  it('stops when abortReason gives a reason, naming it', async () => {
    let exited = false;
    const waiting = waitUntil(
      async () => {
        exited = true;
        return undefined;
      },
      {
        description: 'the emulator',
        ...fast,
        abortReason: () => (exited ? 'it exited with code 1' : undefined),
      },
    );
    await expect(waiting).rejects.toThrow('Stopped waiting for the emulator: it exited with code 1.');
  });

  it('on timeout names what it waited for and the last error, as message and cause', async () => {
    const last = new Error('connect ECONNREFUSED 127.0.0.1:8085');
    const error = await waitUntil(
      async () => {
        throw last;
      },
      { description: 'the Pub/Sub emulator', timeoutMs: 20, intervalMs: 1 },
    ).catch((e: unknown) => e as Error);
    expect(error.message).toBe(
      'Timed out after 20 ms waiting for the Pub/Sub emulator (last error: connect ECONNREFUSED 127.0.0.1:8085).',
    );
    expect(error.cause).toBe(last);
  });

  it('on timeout says what it last saw when no error says it', async () => {
    let found = 0;
    const waiting = waitUntil(async () => undefined, {
      description: 'four documents',
      timeoutMs: 20,
      intervalMs: 1,
      lastSeen: () => `${++found === 1 ? 3 : 'more'} of 4`,
    });
    await expect(waiting).rejects.toThrow(
      'Timed out after 20 ms waiting for four documents (last seen: 3 of 4).',
    );
  });
});
