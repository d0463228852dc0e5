/**
 * A call the gateway refuses outright (the gateway down, restarting or overloaded: HTTP 502 before anything
 * is queued) is made due at once in PostgreSQL, so the next reconcile pass sends it, though the dispatch
 * timeout, which covers calls lost after the gateway took them, is an hour here (the default).
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_JOB_PATH, SAMPLE_ITEM_IDS } from '../../helpers/sampleJobs.ts';
import { startDiasHarness, type DiasHarness } from './helpers/diasHarness.ts';

let dias: DiasHarness;
let demoJob: Record<string, unknown>;

beforeAll(async () => {
  demoJob = JSON.parse(await readFile(DEMO_JOB_PATH, 'utf8'));
  dias = await startDiasHarness('refused', ['jobs', 'tile-reduce', 'finalize', 'reconcile'], { EOFN_DISPATCH_TIMEOUT_SECONDS: '3600' });
});

afterAll(() => dias?.close());

/** One reconcile pass, and the calls it sent delivered; the number it sent. */
async function reconcile(): Promise<number> {
  const pass = (await (await fetch(`${dias.gateway.url}/function/eofn-reconcile`, { method: 'POST' })).json()) as { redispatched: number };
  await dias.gateway.idle();
  return pass.redispatched;
}

describe('a call the gateway refuses', () => {
  it('is sent at the next reconcile pass, partitions and merge alike, with an hour\'s dispatch timeout', async () => {
    // Prepare: the gateway refuses every partition call of the job.
    const job = { ...demoJob, id: 'ndvi-refused', items: SAMPLE_ITEM_IDS.map((i) => `s3://eodata/s2/${i}/${i}.json`), output: 's3://results/ndvi-refused' };
    dias.gateway.interceptAccept((fn) => (fn === 'eofn-tile-reduce' ? 'refuse' : 'accept'));
    expect((await fetch(`${dias.gateway.url}/async-function/eofn-jobs`, { method: 'POST', headers: dias.headers, body: JSON.stringify({ kind: 'job', job }) })).status).toBe(202);
    await dias.gateway.idle();
    const refused = await dias.store.status('ndvi-refused');

    // Act: the gateway takes partitions again but refuses the merge; then it is back for good.
    dias.gateway.interceptAccept((fn) => (fn === 'eofn-finalize' ? 'refuse' : 'accept'));
    const partitions = await reconcile();
    const afterPartitions = await dias.store.status('ndvi-refused');
    dias.gateway.interceptAccept(undefined);
    const merge = await reconcile();

    // Assess
    expect(refused).toMatchObject({ status: 'RUNNING', done: 0 });
    expect(partitions).toBe(4);
    expect(afterPartitions).toMatchObject({ status: 'RUNNING', done: 4 });
    expect(merge).toBe(1);
    const view = await dias.store.status('ndvi-refused');
    expect(view).toMatchObject({ status: 'SUCCEEDED', done: 4 });
    expect(view!.partitions.map((p) => p.attempts)).toEqual([1, 1, 1, 1]);
    expect((await dias.get('results', 'ndvi-refused/result.tif')).length).toBeGreaterThan(0);
    expect(await reconcile()).toBe(0);
  });
});
