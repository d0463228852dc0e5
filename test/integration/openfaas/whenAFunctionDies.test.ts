/**
 * When a function dies on a DIAS (OpenFaaS CE has no retries and no DLQ; PostgreSQL and the reconciler stand
 * in): the same scenarios as on AWS, each ending visibly. A function that dies is emulated at the gateway: the
 * delivery reaches a "worker" that takes its claim in the database (as the function's first step does) and
 * is never heard of again, which is what a timeout or an out-of-memory kill leaves behind. Three jobs at once:
 * a partition that dies on every try, a finalize that dies on every try, a submission whose jobs stage dies on
 * every try; then redrive finishes each with the product `eofn run` makes, and the scratch is gone.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { createDiasBackend } from '../../../functions/adapters/openfaas/cliBackend.ts';
import { DEMO_JOB_PATH, SAMPLE_ITEM_IDS } from '../../helpers/sampleJobs.ts';
import { startDiasHarness, type DiasHarness } from './helpers/diasHarness.ts';

const run = promisify(execFile);
let dias: DiasHarness;
let refDir: string;
let reference: Buffer;
let demoJob: Record<string, unknown>;

function diasJob(id: string): Record<string, unknown> {
  return { ...demoJob, id, items: SAMPLE_ITEM_IDS.map((i) => `s3://eodata/s2/${i}/${i}.json`), output: `s3://results/${id}` };
}

async function reconcile(): Promise<any> {
  const res = await fetch(`${dias.gateway.url}/function/eofn-reconcile`, { method: 'POST', headers: dias.headers });
  const body = await res.json();
  await dias.gateway.idle();
  return body;
}

async function keys(prefix: string): Promise<string[]> {
  return ((await dias.s3.send(new ListObjectsV2Command({ Bucket: 'results', Prefix: prefix }))).Contents ?? []).map((o) => o.Key!);
}

beforeAll(async () => {
  demoJob = JSON.parse(await readFile(DEMO_JOB_PATH, 'utf8'));
  refDir = await mkdtemp(join(tmpdir(), 'eofn-dias-dies-'));
  await run(process.execPath, ['bin/eofn.js', 'run', DEMO_JOB_PATH, '--output', join(refDir, 'out'), '-q']);
  reference = await readFile(join(refDir, 'out/result.tif'));
  dias = await startDiasHarness('dies', ['jobs', 'tile-reduce', 'finalize', 'reconcile']);
});

afterAll(async () => {
  await dias?.close();
  await rm(refDir, { recursive: true, force: true });
});

describe('when a function dies (DIAS: OpenFaaS, PostgreSQL)', () => {
  it('records each death with its reason, fails the job visibly, and redrive finishes it', async () => {
    // Prepare: deliveries that reach a function which claims its work and dies
    let broken = true;
    const victims = new Map<string, string>();
    const deliveries = new Map<string, number>();
    const count = (key: string) => deliveries.set(key, (deliveries.get(key) ?? 0) + 1);
    dias.gateway.intercept(async (fn, body) => {
      if (!broken) return 'deliver';
      if (fn === 'eofn-jobs' && body.job?.id === 'dias-dies-jobs') {
        count('jobs');
        await dias.store.beginSubmission(body.job.id, body, 3);
        return 'drop';
      }
      if (fn === 'eofn-tile-reduce' && body.jobId === 'dias-dies-part') {
        if (!victims.has(body.jobId)) victims.set(body.jobId, body.partition.id);
        if (victims.get(body.jobId) !== body.partition.id) return 'deliver';
        count('partition');
        await dias.store.startPartition(body.jobId, body.partition.id);
        return 'drop';
      }
      if (fn === 'eofn-finalize' && body.jobId === 'dias-dies-final') {
        count('finalize');
        await dias.store.startFinalize(body.jobId);
        return 'drop';
      }
      return 'deliver';
    });
    const cli = createDiasBackend({ ...dias.env, EOFN_DATABASE_URL: '', OPENFAAS_URL: dias.gateway.url });

    // Act: submit, then let the reconciler run (every lease is 2 s here) until every job has settled
    for (const id of ['dias-dies-part', 'dias-dies-final', 'dias-dies-jobs']) {
      const res = await fetch(`${dias.gateway.url}/async-function/eofn-jobs`, { method: 'POST', headers: dias.headers, body: JSON.stringify({ kind: 'job', job: diasJob(id) }) });
      expect(res.status).toBe(202);
    }
    await dias.gateway.idle();
    for (let pass = 0; pass < 12; pass++) {
      const views = await Promise.all(['dias-dies-part', 'dias-dies-final', 'dias-dies-jobs'].map((id) => dias.store.status(id)));
      if (views.every((v) => v?.status === 'FAILED')) break;
      await new Promise((r) => setTimeout(r, 2200));
      await reconcile();
    }
    const [part, final, jobs] = await Promise.all(['dias-dies-part', 'dias-dies-final', 'dias-dies-jobs'].map((id) => cli.status(id)));

    // Assess: the partition dead after its 3 attempts, with the reason the database can know
    expect(deliveries.get('partition')).toBe(3);
    expect(part).toMatchObject({ status: 'FAILED', done: 3, failed: 1 });
    expect(part!.partitions.find((p) => p.id === victims.get('dias-dies-part'))).toMatchObject({
      status: 'DEAD', attempts: 3, error: 'lease expired during attempt 3: the worker died or ran past its timeout',
    });
    expect(JSON.parse(new TextDecoder().decode(await dias.get('results', 'dias-dies-part/job.json'))).status).toBe('FAILED');
    // … the finalize dead after 3 attempts
    expect(deliveries.get('finalize')).toBe(3);
    expect(final).toMatchObject({ status: 'FAILED', done: 4 });
    expect(final!.errors).toEqual(['finalize: lease expired during attempt 3']);
    // … and the submission: a visible FAILED job, not "no job"
    expect(deliveries.get('jobs')).toBe(3);
    expect(jobs).toMatchObject({ status: 'FAILED', total: 0 });
    expect(jobs!.errors[0]).toMatch(/^jobs stage: the submission did not complete in 3 attempt\(s\).*eofn redrive dias-dies-jobs --backend dias/);

    // Act: fixed, and redriven
    broken = false;
    for (const id of ['dias-dies-part', 'dias-dies-final', 'dias-dies-jobs']) await cli.redrive(id);
    await dias.gateway.idle();
    await dias.gateway.idle();

    // Assess: each job SUCCEEDED with the product of `eofn run`, its scratch removed
    for (const id of ['dias-dies-part', 'dias-dies-final', 'dias-dies-jobs']) {
      expect(await dias.store.status(id), id).toMatchObject({ status: 'SUCCEEDED', done: 4, failed: 0, errors: [] });
      expect(Buffer.from(await dias.get('results', `${id}/result.tif`)).equals(reference), id).toBe(true);
      expect((await keys(`${id}/`)).map((k) => k.slice(id.length + 1)).sort(), id).toEqual(['item.json', 'job.json', 'preview.png', 'result.tif']);
    }
  }, 120_000);
});
