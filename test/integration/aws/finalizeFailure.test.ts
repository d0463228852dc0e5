/**
 * A finalize whose merge fails (AWS emulated: fauxqs + dynalite, the real handlers). A permanent failure (parts
 * of two plans) settles the job FAILED with the merge's error on the first receive, as a partition goes DEAD
 * at once: no further receives, nothing in the DLQ, one FAILED completion event, job.json saying why. A
 * transient failure (an I/O error) gives the claim back and is left to SQS: the next receive merges the
 * product, and a failure on every receive fails the job on the last one with that error.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { S3Storage } from '../../../functions/adapters/shared/s3Storage.ts';
import { useCloudStorages } from '../../../functions/adapters/lambda/cloudStorages.ts';
import { createJobsHandler } from '../../../functions/adapters/lambda/jobsHandler.ts';
import { createOpHandler } from '../../../functions/adapters/lambda/opHandler.ts';
import { createFinalizeHandler } from '../../../functions/adapters/lambda/finalizeHandler.ts';
import { createDeadLetterHandler } from '../../../functions/adapters/lambda/deadLetterHandler.ts';
import { finalizeJob } from '../../../functions/core/engine/index.ts';
import { IoError } from '../../../functions/core/errors.ts';
import { startAwsEmulators, type AwsTestEnv } from '../../helpers/awsEmulators.ts';
import { awsTestDeps } from '../../helpers/awsDeps.ts';
import { drain, type SqsHandler } from '../../helpers/awsEventSource.ts';

const SAMPLE = join(import.meta.dirname, '../../../sample-data');
const OP = 'tile-reduce';

let aws: AwsTestEnv;

function job(id: string): Record<string, unknown> {
  return {
    id, op: OP,
    items: ['S2B_33TWM_20230810_0_L2A', 'S2A_33TWM_20230815_0_L2A', 'S2B_33TWM_20230820_0_L2A']
      .map((i) => `s3://${aws.bucket}/sample-data/s2-l2a-33TWM/${i}/${i}.json`),
    params: { expression: '(nir - red) / (nir + red)', reducer: 'mean' },
    output: `s3://${aws.bucket}/out/${id}`,
  };
}

async function s3Text(key: string): Promise<string> {
  const out = await aws.s3.send(new GetObjectCommand({ Bucket: aws.bucket, Key: key }));
  return out.Body!.transformToString();
}

async function completions(jobId: string): Promise<{ status: string; errors?: string[] }[]> {
  const out: { jobId: string; status: string; errors?: string[] }[] = [];
  for (;;) {
    const r = await aws.sqs.send(new ReceiveMessageCommand({ QueueUrl: aws.completionsQueueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 60 }));
    if (!r.Messages?.length) return out.filter((e) => e.jobId === jobId);
    out.push(...r.Messages.map((m) => JSON.parse(m.Body!)));
  }
}

/** Submits the job and runs its partitions; the finalize message waits in its queue. */
async function partitionsDone(id: string): Promise<void> {
  const deps = awsTestDeps(aws);
  await deps.send(aws.config.jobsQueueUrl, [{ kind: 'job', job: job(id) }]);
  await drain(aws.sqs, [[aws.config.jobsQueueUrl, createJobsHandler(deps)], [aws.config.opQueues[OP], createOpHandler(deps)]]);
}

/**
 * The finalize queue and its DLQ consumer, with every call of the merge counted and every receive's
 * ApproximateReceiveCount kept (said when a count assertion fails: which receive did not merge).
 */
function finalizeConsumers(merge: typeof finalizeJob): { calls: () => number; receives: string[]; handlers: [string, SqsHandler][] } {
  const deps = awsTestDeps(aws);
  let calls = 0;
  const receives: string[] = [];
  const counted: typeof finalizeJob = (prepared, plan) => { calls++; receives.push('merged'); return merge(prepared, plan); };
  const handler = createFinalizeHandler(deps, { finalizeJob: counted });
  return {
    calls: () => calls,
    receives,
    handlers: [
      [aws.config.finalizeQueueUrl, (event, context) => {
        receives.push(...event.Records.map((r) => `receive ${r.attributes.ApproximateReceiveCount} of ${JSON.parse(r.body).jobId}`));
        return handler(event, context);
      }],
      [aws.dlqUrls.finalize, createDeadLetterHandler(deps)],
    ],
  };
}

beforeAll(async () => {
  aws = await startAwsEmulators({ ops: [OP], maxReceiveCount: 3, visibilityTimeout: 1 });
  // A small function memory makes the 256 px sample split into several partitions.
  aws.config.opMemoryMb[OP] = 161;
  for (const entry of await readdir(join(SAMPLE, 's2-l2a-33TWM'), { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    await aws.s3.send(new PutObjectCommand({ Bucket: aws.bucket, Key: `sample-data/s2-l2a-33TWM/${relative(join(SAMPLE, 's2-l2a-33TWM'), path)}`, Body: await readFile(path) }));
  }
  useCloudStorages(new S3Storage(aws.s3));
}, 60_000);

afterAll(async () => {
  await aws?.stop();
});

describe('finalize on AWS (emulated) when the merge fails', () => {
  it('a permanent merge error fails the job at once, with the error, in one receive', async () => {
    // Prepare: the partitions are done; one part is then replaced by another partition's (parts of two plans)
    await partitionsDone('merge-permanent');
    const parts = ((await aws.s3.send(new ListObjectsV2Command({ Bucket: aws.bucket, Prefix: 'out/merge-permanent/_parts/' }))).Contents ?? []).map((o) => o.Key!).sort();
    const other = await aws.s3.send(new GetObjectCommand({ Bucket: aws.bucket, Key: parts[1] }));
    await aws.s3.send(new PutObjectCommand({ Bucket: aws.bucket, Key: parts[0], Body: await other.Body!.transformToByteArray() }));
    const { calls, receives, handlers } = finalizeConsumers(finalizeJob);

    // Act
    await drain(aws.sqs, handlers, 30_000);

    // Assess
    expect(parts.length).toBeGreaterThanOrEqual(2);
    expect(calls(), receives.join(', ')).toBe(1);
    const stored = (await awsTestDeps(aws).store.getJob('merge-permanent'))!;
    expect(stored.status).toBe('FAILED');
    expect(stored.errors).toEqual([expect.stringMatching(/^finalize: r\d+-c\d+-\d+x\d+: partition result is for window .*; the plan has /)]);
    const record = JSON.parse(await s3Text('out/merge-permanent/job.json'));
    expect(record).toMatchObject({ status: 'FAILED', errors: stored.errors });
    expect(record.partitions.every((p: { status: string }) => p.status === 'SUCCEEDED')).toBe(true);
    expect((await completions('merge-permanent')).map((e) => e.status)).toEqual(['FAILED']);
    // Kept for a look or a redrive: a failed job's scratch stays, and no item claims a product.
    const left = ((await aws.s3.send(new ListObjectsV2Command({ Bucket: aws.bucket, Prefix: 'out/merge-permanent/' }))).Contents ?? []).map((o) => o.Key!);
    expect(left.some((k) => k.includes('/_parts/'))).toBe(true);
    expect(left).not.toContain('out/merge-permanent/item.json');
  }, 60_000);

  it('a transient merge error is received again, and the next receive merges the product', async () => {
    // Prepare: the first merge meets a store that is down
    await partitionsDone('merge-transient');
    let failedOnce = false;
    const flaky: typeof finalizeJob = async (prepared, plan) => {
      if (!failedOnce) {
        failedOnce = true;
        throw new IoError(`${prepared.outputHref}/result.tif`, 'SlowDown: please reduce your request rate');
      }
      return finalizeJob(prepared, plan);
    };
    const { calls, receives, handlers } = finalizeConsumers(flaky);

    // Act
    await drain(aws.sqs, handlers, 30_000);

    // Assess
    expect(calls(), receives.join(', ')).toBe(2);
    const stored = (await awsTestDeps(aws).store.getJob('merge-transient'))!;
    expect(stored).toMatchObject({ status: 'SUCCEEDED', errors: [] });
    expect(JSON.parse(await s3Text('out/merge-transient/item.json')).assets.result.href).toBe('./result.tif');
    expect((await completions('merge-transient')).map((e) => e.status)).toEqual(['SUCCEEDED']);
  }, 60_000);

  it('a transient error on every receive fails the job on the last one, with that error', async () => {
    // Prepare
    await partitionsDone('merge-down');
    const down: typeof finalizeJob = async (prepared) => { throw new IoError(`${prepared.outputHref}/result.tif`, 'SlowDown: please reduce your request rate'); };
    const { calls, receives, handlers } = finalizeConsumers(down);

    // Act
    await drain(aws.sqs, handlers, 30_000);

    // Assess
    expect(calls(), receives.join(', ')).toBe(aws.config.maxReceiveCount);
    const stored = (await awsTestDeps(aws).store.getJob('merge-down'))!;
    expect(stored).toMatchObject({ status: 'FAILED', errors: [`finalize: s3://${aws.bucket}/out/merge-down/result.tif: SlowDown: please reduce your request rate`] });
    expect((await completions('merge-down')).map((e) => e.status)).toEqual(['FAILED']);
  }, 60_000);
});
