/**
 * A local job's parts belong to it, and job.json tells the truth while it runs and after it stops: a job
 * never picks up another job's parts from the same output, `--force` starts clean, progress is visible
 * during a run, and an interrupted run says INTERRUPTED with the command that resumes it.
 */
import { execFile, spawn, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runJobLocally } from '../../../functions/adapters/local/runJobLocally.ts';
import { registerLocalStorages } from '../../../functions/adapters/local/registerLocalStorages.ts';
import { partHref, planJob, prepareJob, runPartition } from '../../../functions/core/engine/index.ts';
import { ndviJob, tempOutput } from '../../helpers/sampleJobs.ts';
import { registerSlowStorage, slowNdviJob } from '../../helpers/slowStorage.ts';

const NODE = resolve('node_modules/.bin/node');

async function cleanProduct(raw: Record<string, unknown>): Promise<Buffer> {
  const out = await tempOutput('clean');
  await runJobLocally({ job: { raw }, output: out, workers: 1, memoryMb: 161, quiet: true });
  return readFile(join(out, 'result.tif'));
}

/** Half of a job's partitions written, as a run that stopped half-way leaves them. */
async function halfRun(raw: Record<string, unknown>, output: string) {
  const prepared = await prepareJob({ ...raw, output });
  const plan = planJob(prepared, { memoryMb: 161, minPartitions: 1 });
  const half = plan.partitions.slice(0, plan.partitions.length / 2);
  for (const p of half) await runPartition(prepared, p);
  return { prepared, half };
}

async function until<T>(probe: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('parts belong to the job that wrote them', () => {
  it('a different job into the same output does not reuse the first job\'s parts', async () => {
    // Prepare: job A (mean NDVI) stopped half-way; job B (another expression) goes to the same output
    registerLocalStorages();
    const jobA = ndviJob({ reducer: 'mean' });
    const jobB = ndviJob({ reducer: 'mean', expression: 'nir / red' });
    const output = await tempOutput('shared');
    await halfRun(jobA, output);

    // Act
    const { record } = await runJobLocally({ job: { raw: jobB }, output, workers: 1, memoryMb: 161, quiet: true });

    // Assess
    expect(record.status).toBe('SUCCEEDED');
    expect(record.partitions.filter((p) => p.reused)).toEqual([]);
    expect((await readFile(join(output, 'result.tif'))).equals(await cleanProduct(jobB))).toBe(true);
    expect(existsSync(join(output, '_parts'))).toBe(false);
  });

  it('--force recomputes every partition, even where a part of this job exists', async () => {
    // Prepare: half of the job's parts written, one of them damaged
    registerLocalStorages();
    const job = ndviJob({ reducer: 'max' });
    const output = await tempOutput('force');
    const { prepared, half } = await halfRun(job, output);
    await writeFile(partHref(prepared, half[0].id), 'not a part');

    // Act
    const { record } = await runJobLocally({ job: { raw: job }, output, workers: 1, memoryMb: 161, quiet: true, force: true });

    // Assess
    expect(record.partitions.filter((p) => p.reused)).toEqual([]);
    expect((await readFile(join(output, 'result.tif'))).equals(await cleanProduct(job))).toBe(true);
  });

  it('a re-run without --force reuses exactly this job\'s parts', async () => {
    registerLocalStorages();
    const job = ndviJob({ reducer: 'min' });
    const output = await tempOutput('resume');
    const { half } = await halfRun(job, output);
    const { record } = await runJobLocally({ job: { raw: job }, output, workers: 1, memoryMb: 161, quiet: true });
    expect(record.partitions.filter((p) => p.reused).map((p) => p.id)).toEqual(half.map((p) => p.id));
    expect((await readFile(join(output, 'result.tif'))).equals(await cleanProduct(job))).toBe(true);
  });
});

describe('job.json during and after a run', () => {
  it('shows progress while running, INTERRUPTED with the resume command after SIGINT, and the resume finishes the job', async () => {
    // Prepare: a child `eofn run` whose reads are slowed down
    const output = await tempOutput('interrupt');
    const child = spawn(NODE, [resolve('test/helpers/slowStorage.ts'), output, '40'], { stdio: 'ignore' });
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));

    // Act: wait for job.json to show progress mid-run, then interrupt
    const during = await until(async () => {
      const rec = JSON.parse(await readFile(join(output, 'job.json'), 'utf8'));
      const done = rec.partitions.filter((p: { status: string }) => p.status === 'SUCCEEDED').length;
      return rec.status === 'RUNNING' && done >= 1 && done < rec.partitions.length ? rec : undefined;
    });
    child.kill('SIGINT');
    const code = await exited;
    const after = JSON.parse(await readFile(join(output, 'job.json'), 'utf8'));
    const status = spawnSync(NODE, [resolve('bin/eofn.js'), 'status', output], { encoding: 'utf8' });

    // Assess
    expect(during.runner).toMatchObject({ pid: child.pid });
    expect(code).toBe(130);
    expect(after.status).toBe('INTERRUPTED');
    expect(after.resume).toBe(`eofn run <the same job file> --output ${output} --memory 161`);
    expect(after.partitions.filter((p: { status: string }) => p.status === 'SUCCEEDED').length).toBeGreaterThanOrEqual(1);
    expect(status.stdout).toMatch(/: INTERRUPTED\n/);
    expect(status.stdout).toContain('resume with: eofn run');

    // Act: resume
    registerSlowStorage(0);
    const resumed = await runJobLocally({ job: { raw: slowNdviJob() }, output, workers: 1, memoryMb: 161, quiet: true });

    // Assess
    expect(resumed.record.status).toBe('SUCCEEDED');
    expect(resumed.record.partitions.filter((p) => p.reused).length).toBeGreaterThanOrEqual(1);
    expect(await readdir(output)).toEqual(expect.not.arrayContaining(['_parts', '_eofn']));
  });

  it('eofn status says INTERRUPTED when the run was killed without a chance to say so', async () => {
    const output = await tempOutput('killed');
    const child = spawn(NODE, [resolve('test/helpers/slowStorage.ts'), output, '40'], { stdio: 'ignore' });
    const exited = new Promise((r) => child.on('exit', r));
    await until(async () => (JSON.parse(await readFile(join(output, 'job.json'), 'utf8')).status === 'RUNNING' ? true : undefined));
    child.kill('SIGKILL');
    await exited;

    const status = spawnSync(NODE, [resolve('bin/eofn.js'), 'status', output, '--json'], { encoding: 'utf8' });

    expect(JSON.parse(status.stdout)).toMatchObject({ status: 'INTERRUPTED', resume: expect.stringContaining(`--output ${output}`) });
    expect(JSON.parse(status.stdout).errors.join('\n')).toMatch(/the run \(pid \d+\) ended before the job settled/);
  });
});

describe('eofn status of an s3:// output', () => {
  it('reads job.json from S3 (AWS_ENDPOINT_URL) and says INTERRUPTED for a run whose process is gone', async () => {
    // Prepare: a job run into an S3 output (emulated), its job.json then made to look like a killed run's
    const { startFauxqs } = await import('fauxqs');
    const { S3Storage } = await import('../../../functions/adapters/shared/s3Storage.ts');
    const { s3Client } = await import('../../../functions/adapters/shared/awsClients.ts');
    const { registerStorage } = await import('../../../functions/core/io/storage.ts');
    const { readJobRecord, writeJobRecord } = await import('../../../functions/core/engine/index.ts');
    const faux = await startFauxqs({ port: 0, logger: false });
    faux.createBucket('outputs');
    registerLocalStorages();
    registerStorage('s3', new S3Storage(s3Client({ endpoint: faux.address, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } })));
    const output = 's3://outputs/ndvi';
    await runJobLocally({ job: { raw: ndviJob({ reducer: 'mean' }) }, output, workers: 1, memoryMb: 161, quiet: true });
    // Asynchronously: the S3 emulator answers from this process.
    const env = { ...process.env, AWS_ENDPOINT_URL: faux.address, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: 'us-east-1' };
    const status = () => promisify(execFile)(NODE, [resolve('bin/eofn.js'), 'status', output, '--json'], { env }).catch((e) => e);
    const done = await status();
    const record = (await readJobRecord(output))!;
    await writeJobRecord(output, { ...record, status: 'RUNNING', runner: { pid: 2 ** 22 + 7, host: (await import('node:os')).hostname() } });

    // Act
    const killed = await status();
    await faux.stop();

    // Assess
    expect(JSON.parse(done.stdout)).toMatchObject({ status: 'SUCCEEDED', output, done: 8, total: 8 });
    expect(JSON.parse(killed.stdout)).toMatchObject({ status: 'INTERRUPTED', output, resume: expect.stringContaining(`--output ${output}`) });
  });
});
