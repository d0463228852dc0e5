/**
 * directDispatcher's answers to what the gateway says: 429/502/503 or no answer means no pod took the
 * partition (released, sent again later); any other status means the handler ran (a 504 included: the
 * watchdog gave up, the handler may still finish, its lease decides); finalize is retried in place; jobs
 * go to the queue.
 */
import { describe, expect, it } from 'vitest';
import { directDispatcher } from '../../../functions/adapters/openfaas/directDispatcher.ts';
import type { PartitionMessage } from '../../../functions/core/engine/messages.ts';

const partition = (id: string): PartitionMessage => ({ kind: 'partition', jobId: 'j', op: 'tile-reduce', partition: { id } });

function setup(statuses: number[]) {
  const released: string[] = [];
  const queued: unknown[] = [];
  const urls: string[] = [];
  let due: PartitionMessage[] = [];
  const dispatcher = directDispatcher({
    gatewayUrl: 'http://gw:8080/', functionPrefix: 'eofn-', concurrency: 2, retrySeconds: 0.01,
    store: {
      claimDispatchSlots: async () => due.splice(0),
      releaseDispatch: async (jobId, id) => (released.push(`${jobId}/${id}`), true),
    },
    queue: { dispatch: async (m) => void queued.push(m) },
    fetch: (async (url: string) => {
      urls.push(url);
      const status = statuses.shift() ?? 200;
      if (status === 0) throw new Error('connection refused');
      return new Response('{}', { status });
    }) as typeof fetch,
  });
  return { dispatcher, released, queued, urls, setDue: (m: PartitionMessage[]) => { due = m; } };
}

describe('directDispatcher', () => {
  it('sends what the store hands out as synchronous calls to the op function', async () => {
    const { dispatcher, urls, setDue } = setup([200, 200]);
    setDue([partition('a'), partition('b')]);
    expect(await dispatcher.pump()).toBe(2);
    await dispatcher.idle();
    expect(urls).toEqual(['http://gw:8080/function/eofn-tile-reduce', 'http://gw:8080/function/eofn-tile-reduce']);
  });

  it.each([429, 502, 503, 0])('releases a partition no pod took (%s)', async (status) => {
    const { dispatcher, released } = setup([status]);
    await dispatcher.dispatch(partition('a'));
    await dispatcher.idle();
    expect(released).toEqual(['j/a']);
  });

  it.each([200, 400, 500, 504])('leaves a partition the handler ran (%s) to its recorded outcome or lease', async (status) => {
    const { dispatcher, released } = setup([status]);
    await dispatcher.dispatch(partition('a'));
    await dispatcher.idle();
    expect(released).toEqual([]);
  });

  it('retries a finalize call the finalize pods were too busy for; sends jobs through the queue', async () => {
    const { dispatcher, urls, queued } = setup([429, 429, 200]);
    await dispatcher.dispatch({ kind: 'finalize', jobId: 'j' });
    await dispatcher.dispatch({ kind: 'job', jobRef: 's3://jobs/a.json' });
    await dispatcher.idle();
    expect(urls).toEqual(Array(3).fill('http://gw:8080/function/eofn-finalize'));
    expect(queued).toEqual([{ kind: 'job', jobRef: 's3://jobs/a.json' }]);
  });
});
