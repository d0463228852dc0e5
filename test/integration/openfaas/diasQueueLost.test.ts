/**
 * With the queue (OpenFaaS Standard's JetStream, or CE's in-memory NATS Streaming), messages can be lost:
 * a NATS restart drops what CE's queue held. The partitions are recorded in PostgreSQL before any message
 * is sent, so the reconciler sends them again once the dispatch timeout has passed.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_JOB_PATH, SAMPLE_ITEM_IDS } from '../../helpers/sampleJobs.ts';
import { startDiasHarness, type DiasHarness } from './helpers/diasHarness.ts';

let dias: DiasHarness;
let demoJob: Record<string, unknown>;

beforeAll(async () => {
  demoJob = JSON.parse(await readFile(DEMO_JOB_PATH, 'utf8'));
  dias = await startDiasHarness('queuelost', ['jobs', 'tile-reduce', 'finalize', 'reconcile'], { EOFN_DISPATCH_TIMEOUT_SECONDS: '1' });
});

afterAll(() => dias?.close());

describe('queue dispatch', () => {
  it('re-sends from PostgreSQL the partitions the queue lost (a NATS restart)', async () => {
    // Prepare: every partition message is lost in the queue.
    const job = { ...demoJob, id: 'ndvi-queue-lost', items: SAMPLE_ITEM_IDS.map((i) => `s3://eodata/s2/${i}/${i}.json`), output: 's3://results/ndvi-queue-lost' };
    dias.gateway.intercept((fn) => (fn === 'eofn-tile-reduce' ? 'drop' : 'deliver'));
    expect((await fetch(`${dias.gateway.url}/async-function/eofn-jobs`, { method: 'POST', headers: dias.headers, body: JSON.stringify({ kind: 'job', job }) })).status).toBe(202);
    await dias.gateway.idle();
    dias.gateway.intercept(undefined);
    expect(await dias.store.status('ndvi-queue-lost')).toMatchObject({ status: 'RUNNING', done: 0 });

    // Act: once the dispatch timeout (1 s here) has passed, the reconciler sends them again.
    await new Promise((r) => setTimeout(r, 1100));
    const pass = (await (await fetch(`${dias.gateway.url}/function/eofn-reconcile`, { method: 'POST' })).json()) as { redispatched: number };
    await dias.gateway.idle();

    // Assess
    expect(pass.redispatched).toBe(4);
    const view = await dias.store.status('ndvi-queue-lost');
    expect(view).toMatchObject({ status: 'SUCCEEDED', done: 4 });
    expect(view!.partitions.map((p) => p.attempts)).toEqual([1, 1, 1, 1]);
    expect((await dias.get('results', 'ndvi-queue-lost/result.tif')).length).toBeGreaterThan(0);
  });
});
