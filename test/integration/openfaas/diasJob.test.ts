/**
 * A whole job on a DIAS-like stack: async calls through a (fake) gateway to eofn functions started
 * in-process, S3 on an emulator (path-style, custom endpoint), state in the real PostgreSQL. The product
 * must be byte-identical to `eofn run`'s; faults (a worker dying after its claim, a partition that always
 * fails, duplicate deliveries) must end as the issue says; `eofn status|redrive --backend dias` read the
 * same state.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDiasBackend } from '../../../functions/adapters/openfaas/cliBackend.ts';
import { DEMO_JOB_PATH, SAMPLE_ITEM_IDS, SAMPLE_ITEMS_DIR } from '../../helpers/sampleJobs.ts';
import { startDiasHarness, type DiasHarness } from './helpers/diasHarness.ts';
import { stacProblems } from '../../helpers/stacValidator.ts';

const run = promisify(execFile);
let dias: DiasHarness;
let refDir: string;
let reference: { tif: Uint8Array; png: Uint8Array };

function diasJob(id: string): Record<string, unknown> {
  return { ...demoJob, id, items: SAMPLE_ITEM_IDS.map((i) => `s3://eodata/s2/${i}/${i}.json`), output: `s3://results/${id}` };
}
let demoJob: Record<string, unknown>;

async function submit(job: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${dias.gateway.url}/async-function/eofn-jobs`, { method: 'POST', headers: dias.headers, body: JSON.stringify({ kind: 'job', job }) });
  expect(res.status).toBe(202);
  await dias.gateway.idle();
}

async function reconcile(): Promise<any> {
  const res = await fetch(`${dias.gateway.url}/function/eofn-reconcile`, { method: 'POST' });
  const body = await res.json();
  await dias.gateway.idle();
  return body;
}

async function dbRow(sql: string, params: unknown[]): Promise<any> {
  return (await dias.store.pool.query(sql, params)).rows[0];
}

beforeAll(async () => {
  demoJob = JSON.parse(await readFile(DEMO_JOB_PATH, 'utf8'));
  refDir = await mkdtemp(join(tmpdir(), 'eofn-dias-ref-'));
  await run(process.execPath, ['bin/eofn.js', 'run', DEMO_JOB_PATH, '--output', join(refDir, 'out'), '-q']);
  reference = { tif: await readFile(join(refDir, 'out/result.tif')), png: await readFile(join(refDir, 'out/preview.png')) };
  dias = await startDiasHarness('job', ['jobs', 'tile-reduce', 'finalize', 'reconcile']);
});

afterAll(async () => {
  await dias?.close();
  await rm(refDir, { recursive: true, force: true });
});

describe('a job on OpenFaaS with S3 and PostgreSQL', () => {
  it('runs plan, partitions and finalize through async calls; the product equals eofn run\'s', async () => {
    // Act
    await submit(diasJob('ndvi-dias-whole'));

    // Assess
    const view = await dias.store.status('ndvi-dias-whole');
    expect(view).toMatchObject({ status: 'SUCCEEDED', total: 4, done: 4, failed: 0, output: 's3://results/ndvi-dias-whole' });
    expect(Buffer.from(await dias.get('results', 'ndvi-dias-whole/result.tif')).equals(reference.tif)).toBe(true);
    expect(Buffer.from(await dias.get('results', 'ndvi-dias-whole/preview.png')).equals(reference.png)).toBe(true);
    const record = JSON.parse(new TextDecoder().decode(await dias.get('results', 'ndvi-dias-whole/job.json')));
    expect(record).toMatchObject({ id: 'ndvi-dias-whole', status: 'SUCCEEDED' });
    const item = JSON.parse(new TextDecoder().decode(await dias.get('results', 'ndvi-dias-whole/item.json')));
    expect(await stacProblems(item)).toEqual([]);
    expect(item.links[0].href).toBe('s3://results/ndvi-dias-whole/item.json');
    const deliveries = dias.gateway.calls.filter((c) => c.body.jobId === 'ndvi-dias-whole' || c.body.job?.id === 'ndvi-dias-whole');
    expect(deliveries.map((c) => c.fn).sort()).toEqual(['eofn-finalize', 'eofn-jobs', ...Array(4).fill('eofn-tile-reduce')]);
    expect(deliveries.every((c) => c.status === 200)).toBe(true);
  });

  it('changes nothing when every async call is delivered twice, and when the job is sent again', async () => {
    // Prepare
    dias.gateway.intercept(() => 'duplicate');

    // Act
    await submit(diasJob('ndvi-dias-dup'));
    dias.gateway.intercept(undefined);
    await submit(diasJob('ndvi-dias-dup'));

    // Assess
    const job = await dbRow('SELECT status, done, total, finalize_attempts FROM jobs WHERE job_id = $1', ['ndvi-dias-dup']);
    expect(job).toEqual({ status: 'SUCCEEDED', done: 4, total: 4, finalize_attempts: 1 });
    const attempts = (await dias.store.status('ndvi-dias-dup'))!.partitions.map((p) => p.attempts);
    expect(attempts).toEqual([1, 1, 1, 1]);
    const skipped = dias.gateway.calls.filter((c) => c.body.jobId === 'ndvi-dias-dup' && c.response?.skipped);
    expect(skipped.length).toBe(5); // one duplicate of each of the 4 partitions and of finalize
    expect(Buffer.from(await dias.get('results', 'ndvi-dias-dup/result.tif')).equals(reference.tif)).toBe(true);
  });

  it('re-dispatches a partition whose worker died after claiming it, once its lease expires', async () => {
    // Prepare: the first delivery of one partition reaches a worker that claims it and dies.
    let victim: string | undefined;
    dias.gateway.intercept(async (fn, body) => {
      if (fn !== 'eofn-tile-reduce' || victim) return 'deliver';
      victim = body.partition.id;
      expect(await dias.store.startPartition(body.jobId, body.partition.id)).toBe(1);
      return 'drop';
    });
    await submit(diasJob('ndvi-dias-died'));
    dias.gateway.intercept(undefined);
    expect(await dias.store.status('ndvi-dias-died')).toMatchObject({ status: 'RUNNING', done: 3 });
    expect(await reconcile()).toMatchObject({ redispatched: 0 }); // the lease (2 s) still holds

    // Act
    await new Promise((r) => setTimeout(r, 2300));
    const pass = await reconcile();

    // Assess
    expect(pass).toMatchObject({ redispatched: 1, deadLettered: 0 });
    const view = (await dias.store.status('ndvi-dias-died'))!;
    expect(view).toMatchObject({ status: 'SUCCEEDED', done: 4 });
    expect(view.partitions.find((p) => p.id === victim)).toMatchObject({ status: 'SUCCEEDED', attempts: 2 });
    expect(Buffer.from(await dias.get('results', 'ndvi-dias-died/result.tif')).equals(reference.tif)).toBe(true);
  });

  it('dead-letters a partition that always fails, reports the job FAILED, and redrive completes it once the data is fixed', async () => {
    // Prepare: corrupt one 64x64 DEFLATE block of one red band (tile 13: rows 192-255) in a copy of the items.
    const bad = 'S2A_33TWM_20230815_0_L2A';
    const good = await readFile(join(SAMPLE_ITEMS_DIR, bad, 'B04.tif'));
    const corrupt = Buffer.from(good);
    corrupt.fill(0xa5, 99400, 99400 + 5945);
    await dias.put('eodata', `s2/${bad}/B04.tif`, corrupt);
    const env = { ...dias.env, EOFN_DATABASE_URL: '', OPENFAAS_URL: dias.gateway.url };

    // Act
    await submit(diasJob('ndvi-dias-bad'));
    await reconcile();

    // Assess: the dead letter, the job's report, job.json, and the CLI's view of it.
    const [dead] = await dias.store.deadLetters('ndvi-dias-bad');
    expect(dead).toMatchObject({ partition_id: expect.stringMatching(/^r00192/), attempts: 1 });
    expect(dead.error).toMatch(/B04\.tif.*DEFLATE data is corrupt/);
    expect(dead.message).toMatchObject({ kind: 'partition', jobId: 'ndvi-dias-bad', op: 'tile-reduce' });
    const view = await createDiasBackend(env).status('ndvi-dias-bad');
    expect(view).toMatchObject({ status: 'FAILED', total: 4, done: 3, failed: 1 });
    expect(view!.errors).toEqual([expect.stringMatching(new RegExp(`^partition ${dead.partition_id}: .*B04\\.tif.*corrupt.*\\(after 1 attempt\\(s\\)\\)$`))]);
    const record = JSON.parse(new TextDecoder().decode(await dias.get('results', 'ndvi-dias-bad/job.json')));
    expect(record.status).toBe('FAILED');
    const cli = await run(process.execPath, ['bin/eofn.js', 'status', 'ndvi-dias-bad', '--backend', 'dias', '--json'], { env: { ...process.env, ...env } }).catch((e) => e);
    expect(cli.code).toBe(1);
    expect(JSON.parse(cli.stdout)).toMatchObject({ id: 'ndvi-dias-bad', status: 'FAILED', failed: 1 });

    // Act: the data is fixed, the job is redriven.
    await dias.put('eodata', `s2/${bad}/B04.tif`, good);
    const redriven = await createDiasBackend(env).redrive('ndvi-dias-bad');
    await dias.gateway.idle();

    // Assess
    expect(redriven).toEqual({ partitions: 1, tiles: 0, merge: false, submission: false });
    expect(await dias.store.deadLetters('ndvi-dias-bad')).toEqual([]);
    expect(await dias.store.status('ndvi-dias-bad')).toMatchObject({ status: 'SUCCEEDED', done: 4, failed: 0, errors: [] });
    expect(Buffer.from(await dias.get('results', 'ndvi-dias-bad/result.tif')).equals(reference.tif)).toBe(true);
  });
});
