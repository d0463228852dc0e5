/**
 * The AWS pipeline end to end over HTTP: `eofn submit` → jobs → four op queues (tile-reduce here) →
 * finalize → completion event, against fauxqs (S3/SQS/SNS) and dynalite (DynamoDB), or LocalStack when
 * AWS_ENDPOINT_URL is set. Every partition message is delivered twice, one partition fails twice before
 * succeeding, and a poison message is sent: the product must still equal `eofn run`'s, byte for byte.
 */
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { runJobLocally } from '../../../functions/adapters/local/runJobLocally.ts';
import { registerLocalStorages } from '../../../functions/adapters/local/registerLocalStorages.ts';
import { S3Storage } from '../../../functions/adapters/shared/s3Storage.ts';
import { useCloudStorages } from '../../../functions/adapters/lambda/cloudStorages.ts';
import { createJobsHandler } from '../../../functions/adapters/lambda/jobsHandler.ts';
import { createOpHandler } from '../../../functions/adapters/lambda/opHandler.ts';
import { createFinalizeHandler } from '../../../functions/adapters/lambda/finalizeHandler.ts';
import { createAwsBackend } from '../../../functions/adapters/lambda/cliBackend.ts';
import { createQueueSender } from '../../../functions/adapters/lambda/queueSender.ts';
import { finalizeJob, runPartition } from '../../../functions/core/engine/index.ts';
import { startAwsEmulators, type AwsTestEnv } from '../../helpers/awsEmulators.ts';
import { awsTestDeps } from '../../helpers/awsDeps.ts';
import { drain, pollOnce } from '../../helpers/awsEventSource.ts';
import { stacProblems } from '../../helpers/stacValidator.ts';

const SAMPLE = join(import.meta.dirname, '../../../sample-data');
const OP = 'tile-reduce';

let aws: AwsTestEnv;
let localDir: string;

async function uploadTree(dir: string, prefix: string): Promise<void> {
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    await aws.s3.send(new PutObjectCommand({ Bucket: aws.bucket, Key: `${prefix}/${relative(dir, path)}`, Body: await readFile(path) }));
  }
}

async function s3Bytes(key: string): Promise<Buffer> {
  const out = await aws.s3.send(new GetObjectCommand({ Bucket: aws.bucket, Key: key }));
  return Buffer.from(await out.Body!.transformToByteArray());
}

async function receiveAll(queueUrl: string): Promise<string[]> {
  const bodies: string[] = [];
  for (;;) {
    const out = await aws.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 30 }));
    if (!out.Messages?.length) return bodies;
    bodies.push(...out.Messages.map((m) => m.Body!));
  }
}

describe('AWS pipeline (emulated): submit, fan out, partitions, finalize', () => {
  beforeAll(async () => {
    // The reference: the same job run on this machine with `eofn run`.
    registerLocalStorages();
    localDir = await mkdtemp(join(tmpdir(), 'eofn-aws-ref-'));
    await runJobLocally({ jobHref: join(SAMPLE, 'jobs/ndvi-demo.json'), output: localDir, workers: 2, quiet: true });

    aws = await startAwsEmulators({ ops: [OP], maxReceiveCount: 3, visibilityTimeout: 1 });
    // A small function memory makes the 256 px sample split into several partitions.
    aws.config.opMemoryMb[OP] = 161;
    await uploadTree(join(SAMPLE, 's2-l2a-33TWM'), 'sample-data/s2-l2a-33TWM');
    await uploadTree(join(SAMPLE, 'jobs'), 'sample-data/jobs');
    useCloudStorages(new S3Storage(aws.s3));
  });

  afterAll(async () => {
    await aws?.stop();
    if (localDir) await rm(localDir, { recursive: true, force: true });
  });

  it('runs the job once to the same product despite duplicates, a flaky partition and a poison message', async () => {
    // Prepare
    const baseSend = createQueueSender(aws.sqs);
    const opQueue = aws.config.opQueues[OP];
    const duplicating = async (url: string, messages: unknown[]) => baseSend(url, url === opQueue ? [...messages, ...messages] : messages);
    const runs = new Map<string, number>();
    let flaky: string | undefined;
    const flakyRun: typeof runPartition = async (prepared, partition) => {
      flaky ??= partition.id;
      const n = (runs.get(partition.id) ?? 0) + 1;
      runs.set(partition.id, n);
      if (partition.id === flaky && n <= 2) throw new Error(`injected failure ${n} of ${partition.id}`);
      return runPartition(prepared, partition);
    };
    let merges = 0;
    const countingFinalize: typeof finalizeJob = (prepared, plan) => { merges++; return finalizeJob(prepared, plan); };
    const deps = awsTestDeps(aws, { send: duplicating });
    const jobs = createJobsHandler(deps);
    const ops = createOpHandler(deps, { runPartition: flakyRun });
    const finalize = createFinalizeHandler(deps, { finalizeJob: countingFinalize });
    const backend = createAwsBackend(aws.config, deps.store, baseSend);

    // Act
    const jobId = await backend.submit(`s3://${aws.bucket}/sample-data/jobs/ndvi-demo.json`);
    while (await pollOnce(aws.sqs, aws.config.jobsQueueUrl, jobs));
    const planned = await deps.store.getJob(jobId);
    await baseSend(opQueue, [{ kind: 'partition', jobId, op: OP, partition: { id: 'r99c99' } }]);
    // Partitions first (the poison is dead-lettered while the job still runs: once a job has SUCCEEDED and its
    // scratch is gone, a late message for it is acknowledged without work), then finalize.
    await drain(aws.sqs, [[aws.config.jobsQueueUrl, jobs], [opQueue, ops]]);
    await drain(aws.sqs, [[aws.config.jobsQueueUrl, jobs], [opQueue, ops], [aws.config.finalizeQueueUrl, finalize]]);
    const status = await backend.status(jobId);

    // Assess
    expect(planned!.total).toBeGreaterThan(2);
    expect(status).toMatchObject({ status: 'SUCCEEDED', done: planned!.total, total: planned!.total, failed: 0 });
    expect(merges).toBe(1);
    expect(runs.get(flaky!)).toBe(3);
    expect([...runs.values()].filter((n) => n !== 1)).toEqual([3]);
    expect(runs.size).toBe(planned!.total);
    expect(status!.partitions.find((p) => p.id === flaky)).toMatchObject({ status: 'SUCCEEDED', attempts: 3 });

    const output = `sample-data/jobs/out/ndvi-demo`;
    expect(status!.output).toBe(`s3://${aws.bucket}/${output}`);
    expect((await s3Bytes(`${output}/result.tif`)).equals(await readFile(join(localDir, 'result.tif')))).toBe(true);
    expect((await s3Bytes(`${output}/preview.png`)).equals(await readFile(join(localDir, 'preview.png')))).toBe(true);
    const record = JSON.parse((await s3Bytes(`${output}/job.json`)).toString());
    expect(record).toMatchObject({ id: jobId, status: 'SUCCEEDED' });
    const item = JSON.parse((await s3Bytes(`${output}/item.json`)).toString());
    expect(item.assets.result.href).toBe('./result.tif');
    expect(await stacProblems(item)).toEqual([]);
    expect(item.links[0]).toEqual({ rel: 'self', href: `s3://${aws.bucket}/${output}/item.json`, type: 'application/geo+json' });

    const completions = (await receiveAll(aws.completionsQueueUrl)).map((b) => JSON.parse(b));
    expect(completions).toEqual([expect.objectContaining({ jobId, status: 'SUCCEEDED', item: `s3://${aws.bucket}/${output}/item.json` })]);

    const dead = await receiveAll(aws.dlqUrls[OP]);
    expect(dead.map((b) => JSON.parse(b).partition.id)).toEqual(['r99c99']);
    expect(status!.errors.join('\n')).toMatch(/dead-lettered: NotInPlanError: partition r99c99: not in the plan/);
    expect(await receiveAll(aws.dlqUrls.finalize)).toEqual([]);
  });

  it('dead-letters a partition that keeps failing, finalizes the job FAILED, and redrive completes it', async () => {
    // Prepare: a second job (another reducer, another output) whose first partition fails until "fixed"
    const job = JSON.parse(await readFile(join(SAMPLE, 'jobs/ndvi-demo.json'), 'utf8'));
    job.params.reducer = 'mean';
    job.output = 'out/redrive';
    await aws.s3.send(new PutObjectCommand({ Bucket: aws.bucket, Key: 'sample-data/jobs/redrive.json', Body: JSON.stringify(job) }));
    const reference = await mkdtemp(join(tmpdir(), 'eofn-aws-redrive-'));
    registerLocalStorages();
    await runJobLocally({ job: { raw: job, base: join(SAMPLE, 'jobs/redrive.json') }, output: reference, workers: 1, quiet: true });
    useCloudStorages(new S3Storage(aws.s3));

    let broken: string | undefined;
    let fixed = false;
    const failing: typeof runPartition = async (prepared, partition) => {
      broken ??= partition.id;
      if (partition.id === broken && !fixed) throw new Error(`disk on fire while reading ${partition.id}`);
      return runPartition(prepared, partition);
    };
    const send = createQueueSender(aws.sqs);
    const deps = awsTestDeps(aws, { send });
    const handlers: Parameters<typeof drain>[1] = [
      [aws.config.jobsQueueUrl, createJobsHandler(deps)],
      [aws.config.opQueues[OP], createOpHandler(deps, { runPartition: failing })],
      [aws.config.finalizeQueueUrl, createFinalizeHandler(deps)],
    ];
    const backend = createAwsBackend(aws.config, deps.store, send);

    // Act: the partition is tried maxReceiveCount (3) times, then dead-lettered
    const jobId = await backend.submit(`s3://${aws.bucket}/sample-data/jobs/redrive.json`);
    await drain(aws.sqs, handlers);
    const failed = await backend.status(jobId);

    // Assess
    expect(failed).toMatchObject({ status: 'FAILED', failed: 1 });
    expect(failed!.partitions.find((p) => p.id === broken)).toMatchObject({ status: 'DEAD', attempts: 3 });
    expect(failed!.partitions.find((p) => p.id === broken)!.error).toContain(`disk on fire while reading ${broken}`);
    expect(failed!.errors.join('\n')).toContain(broken!);
    const output = 'sample-data/jobs/out/redrive';
    expect(JSON.parse((await s3Bytes(`${output}/job.json`)).toString())).toMatchObject({ id: jobId, status: 'FAILED' });
    expect((await receiveAll(aws.dlqUrls[OP])).map((b) => JSON.parse(b).partition.id)).toEqual([broken]);

    // Act: the cause is fixed and the failed partitions are sent again
    fixed = true;
    expect(await backend.redrive(jobId)).toEqual({ partitions: 1, tiles: 0, merge: false, submission: false });
    await drain(aws.sqs, handlers);
    const done = await backend.status(jobId);

    // Assess: completed once, with the product `eofn run` makes
    expect(done).toMatchObject({ status: 'SUCCEEDED', failed: 0, done: done!.total });
    expect((await s3Bytes(`${output}/result.tif`)).equals(await readFile(join(reference, 'result.tif')))).toBe(true);
    const events = (await receiveAll(aws.completionsQueueUrl)).map((b) => JSON.parse(b));
    expect(events.map((e) => e.status)).toEqual(['FAILED', 'SUCCEEDED']);
  });
});
