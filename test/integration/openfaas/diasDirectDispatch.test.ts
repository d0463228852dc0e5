/**
 * Dispatch as on OpenFaaS CE (EOFN_DISPATCH=direct): partitions never go through the queue; the jobs and
 * reconcile functions call the op function synchronously through the gateway, at most
 * EOFN_DISPATCH_CONCURRENCY at once, with three replicas each taking one call at a time (max_inflight 1).
 * The product is byte-identical to `eofn run`'s; calls the gateway fails are sent again; work recorded in
 * PostgreSQL is sent by the reconciler when nothing else sends it (the dispatching pod died).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareJob, planJob, storePrepared } from '../../../functions/core/engine/index.ts';
import { DEMO_JOB_PATH, SAMPLE_ITEM_IDS } from '../../helpers/sampleJobs.ts';
import { startDiasHarness, type DiasHarness } from './helpers/diasHarness.ts';

const run = promisify(execFile);
let direct: DiasHarness;
let refDir: string;
let reference: Uint8Array;
let demoJob: Record<string, unknown>;

const CONCURRENCY = 2;

function diasJob(id: string): Record<string, unknown> {
  return { ...demoJob, id, items: SAMPLE_ITEM_IDS.map((i) => `s3://eodata/s2/${i}/${i}.json`), output: `s3://results/${id}` };
}

async function submit(dias: DiasHarness, job: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${dias.gateway.url}/async-function/eofn-jobs`, { method: 'POST', headers: dias.headers, body: JSON.stringify({ kind: 'job', job }) });
  expect(res.status).toBe(202);
}

async function settled(dias: DiasHarness, jobId: string, ms = 30_000): Promise<any> {
  for (const until = Date.now() + ms; Date.now() < until;) {
    const view = await dias.store.status(jobId);
    if (view && view.status !== 'RUNNING') {
      await dias.gateway.idle(); // the last call's answer is on its way back
      return view;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return dias.store.status(jobId);
}

async function reconcile(dias: DiasHarness): Promise<any> {
  return (await fetch(`${dias.gateway.url}/function/eofn-reconcile`, { method: 'POST' })).json();
}

beforeAll(async () => {
  demoJob = JSON.parse(await readFile(DEMO_JOB_PATH, 'utf8'));
  refDir = await mkdtemp(join(tmpdir(), 'eofn-direct-ref-'));
  await run(process.execPath, ['bin/eofn.js', 'run', DEMO_JOB_PATH, '--output', join(refDir, 'out'), '-q']);
  reference = await readFile(join(refDir, 'out/result.tif'));
});

afterAll(async () => {
  await rm(refDir, { recursive: true, force: true });
});

describe('direct dispatch (OpenFaaS CE)', () => {
  beforeAll(async () => {
    // One harness per file: S3 storage and opened COGs are cached for the whole process.
    direct = await startDiasHarness('direct', ['jobs', 'tile-reduce', 'finalize', 'reconcile'], {
      EOFN_DISPATCH: 'direct', EOFN_DISPATCH_CONCURRENCY: String(CONCURRENCY), EOFN_DISPATCH_RETRY_SECONDS: '0.2', max_inflight: '1',
    }, { 'tile-reduce': 3 });
  });
  afterAll(() => direct?.close());

  it('calls the op function directly, at most EOFN_DISPATCH_CONCURRENCY at once, in parallel; the product equals eofn run\'s', async () => {
    // Act
    await submit(direct, diasJob('ndvi-direct'));
    const view = await settled(direct, 'ndvi-direct');

    // Assess
    expect(view).toMatchObject({ status: 'SUCCEEDED', total: 4, done: 4 });
    const calls = direct.gateway.calls.filter((c) => c.body.jobId === 'ndvi-direct');
    expect(calls.filter((c) => c.mode === 'async')).toEqual([]);
    expect(calls.filter((c) => c.fn === 'eofn-tile-reduce').map((c) => c.status)).toEqual([200, 200, 200, 200]);
    expect(calls.filter((c) => c.fn === 'eofn-finalize').map((c) => c.status)).toEqual([200]);
    expect(direct.gateway.maxConcurrent['eofn-tile-reduce']).toBe(CONCURRENCY);
    expect(view.partitions.map((p: any) => p.attempts)).toEqual([1, 1, 1, 1]);
    expect(Buffer.from(await direct.get('results', 'ndvi-direct/result.tif')).equals(reference)).toBe(true);
  });

  it('sends a partition again when the gateway fails its call, without counting an attempt', async () => {
    // Prepare: the first two calls to the op function fail at the gateway (502), as when it restarts.
    let failures = 2;
    direct.gateway.interceptSync((fn) => (fn === 'eofn-tile-reduce' && failures-- > 0 ? 'fail' : 'deliver'));

    // Act
    await submit(direct, diasJob('ndvi-direct-502'));
    const view = await settled(direct, 'ndvi-direct-502');
    direct.gateway.interceptSync(undefined);

    // Assess
    expect(failures).toBeLessThan(0);
    expect(view).toMatchObject({ status: 'SUCCEEDED', done: 4 });
    expect(view.partitions.map((p: any) => p.attempts)).toEqual([1, 1, 1, 1]);
    expect(direct.gateway.maxConcurrent['eofn-tile-reduce']).toBe(CONCURRENCY);
  });

  it('sends recorded work from PostgreSQL when its dispatcher died: the reconciler, within the same bound', async () => {
    // Prepare: the job is recorded with its partitions due, and nothing sends them (the jobs pod died).
    const source = diasJob('ndvi-direct-orphan');
    const prepared = await prepareJob(source, undefined);
    const plan = planJob(prepared, { memoryMb: 1769, minPartitions: 4 });
    const stored = await storePrepared(prepared, plan);
    await direct.store.recordPlanned({
      jobId: plan.jobId, op: plan.op, outputHref: prepared.outputHref, preparedRef: stored.href, preparedDigest: stored.digest,
      hash: 'orphan', memoryMb: 1769, partitions: plan.partitions,
    }, { maxAttempts: 3, dueInSeconds: 0 });

    // Act
    const pass = await reconcile(direct);
    const view = await settled(direct, 'ndvi-direct-orphan');

    // Assess
    expect(pass.redispatched).toBe(CONCURRENCY);
    expect(view).toMatchObject({ status: 'SUCCEEDED', done: 4 });
    expect(Buffer.from(await direct.get('results', 'ndvi-direct-orphan/result.tif')).equals(reference)).toBe(true);
  });
});
