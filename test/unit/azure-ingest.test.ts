/**
 * The Azure ingest function binds event bodies as bytes (`dataType: 'binary'`) and hands them to the use case
 * untouched, so one byte sequence has one outcome on every cloud. A body the host parsed (the binding lost its data
 * type) is refused loudly instead of being re-serialised into different values.
 */
import { app, InvocationContext, trigger } from '@azure/functions';
import { describe, expect, it, vi } from 'vitest';
import type { InboundMessage, IngestResult } from '../../shared/core/index.ts';

describe('the Azure ingest trigger', () => {
  it('is registered with dataType binary, which the worker passes on to the host in the trigger binding', async () => {
    const register = vi.spyOn(app, 'eventHub').mockImplementation(() => {});
    vi.resetModules();
    await import('../../functions/azure/ingest.ts');

    const [name, options] = register.mock.calls[0] ?? [];
    register.mockRestore();
    expect(name).toBe('ingest');
    expect(options).toMatchObject({ cardinality: 'many', dataType: 'binary' });
    // What `app.eventHub` does with the options other than handler, retry and trigger: the binding itself.
    const { handler: _handler, retry: _retry, ...bindingOptions } = options!;
    expect(trigger.eventHub(bindingOptions)).toMatchObject({ type: 'eventHubTrigger', dataType: 'binary' });
  });
});

describe('the Azure ingest handler', () => {
  async function received(bodies: unknown[]): Promise<InboundMessage[]> {
    const { eventHubsIngest } = await import('../../functions/azure/ingest.ts');
    const seen: InboundMessage[] = [];
    const handler = eventHubsIngest(async (messages) => {
      seen.push(...messages);
      return { failedMessageIds: [] } as unknown as IngestResult;
    });
    await handler(bodies, new InvocationContext({ triggerMetadata: { sequenceNumberArray: [1, 2] } }));
    return seen;
  }

  it('passes the bytes the host bound to the use case as they are', async () => {
    const infinite = Buffer.from('{"v":1,"b":"b","r":[["S",1,1700000000000,1e999,1]]}');
    const withBom = Buffer.from([0xef, 0xbb, 0xbf, 0x7b, 0x7d]);

    const messages = await received([infinite, withBom]);

    expect(messages.map((m) => m.body)).toEqual([infinite, withBom]);
    expect(messages[0]?.body).toBe(infinite);
  });

  it('refuses a body the host parsed, naming the binding to fix, rather than re-serialising it', async () => {
    await expect(received([{ v: 1, r: [] }])).rejects.toThrow(/dataType 'binary'/);
  });
});
