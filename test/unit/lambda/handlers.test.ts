/**
 * Every AWS handler driven by the sample events in `events/`, against the emulated S3/SQS/SNS/DynamoDB.
 */
import { readFile, readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { S3Event, SNSEvent, SQSEvent } from 'aws-lambda';
import { S3Storage } from '../../../functions/adapters/shared/s3Storage.ts';
import { useCloudStorages } from '../../../functions/adapters/lambda/cloudStorages.ts';
import { createJobsHandler } from '../../../functions/adapters/lambda/jobsHandler.ts';
import { configFromEnv } from '../../../functions/adapters/lambda/config.ts';
import { createOpHandler } from '../../../functions/adapters/lambda/opHandler.ts';
import { createFinalizeHandler } from '../../../functions/adapters/lambda/finalizeHandler.ts';
import { createArrivalsHandler } from '../../../functions/adapters/lambda/arrivalsHandler.ts';
import { loadPrepared, partExists } from '../../../functions/core/engine/index.ts';
import { startAwsEmulators, type AwsTestEnv } from '../../helpers/awsEmulators.ts';
import { awsTestDeps } from '../../helpers/awsDeps.ts';
import { fakeContext } from '../../helpers/awsEventSource.ts';
import { hugeGridJob } from '../../helpers/hostileInputs.ts';

const ROOT = join(import.meta.dirname, '../../..');
const BUCKET = 'eofn-events';
let aws: AwsTestEnv;

const event = async <T>(name: string): Promise<T> => JSON.parse(await readFile(join(ROOT, 'events', name), 'utf8'));

async function upload(dir: string, prefix: string): Promise<void> {
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!e.isFile()) continue;
    const path = join(e.parentPath, e.name);
    await aws.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${prefix}/${relative(dir, path)}`, Body: await readFile(path) }));
  }
}

async function drainBodies(queueUrl: string): Promise<any[]> {
  const out: any[] = [];
  for (;;) {
    const r = await aws.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 30 }));
    if (!r.Messages?.length) return out;
    out.push(...r.Messages.map((m) => JSON.parse(m.Body!)));
  }
}

beforeAll(async () => {
  aws = await startAwsEmulators({ ops: ['tile-reduce'] });
  aws.config.opMemoryMb['tile-reduce'] = 161;
  await aws.s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  await upload(join(ROOT, 'sample-data/s2-l2a-33TWM'), 'sample-data/s2-l2a-33TWM');
  await upload(join(ROOT, 'sample-data/s2-l2a-33TWM/S2B_33TWM_20230810_0_L2A'), 'arrivals/S2B_33TWM_20230810_0_L2A');
  useCloudStorages(new S3Storage(aws.s3));
});

afterAll(async () => aws?.stop());

describe('jobs handler', () => {
  it('plans a partner submission once and fans out one message per partition', async () => {
    // Prepare
    const deps = awsTestDeps(aws);
    const handler = createJobsHandler(deps);
    const submission = await event<SQSEvent>('sqs-partner-submission.json');
    // Act
    const first = await handler(submission, fakeContext());
    const again = await handler(submission, fakeContext());
    const job = await deps.store.getJob('ndvi-events');
    const messages = await drainBodies(aws.config.opQueues['tile-reduce']);
    // Assess
    expect(first.batchItemFailures).toEqual([]);
    expect(again.batchItemFailures).toEqual([]);
    expect(job).toMatchObject({ status: 'RUNNING', total: 8, done: 0, op: 'tile-reduce', memoryMb: 161, output: `s3://${BUCKET}/out/ndvi-events` });
    expect(messages).toHaveLength(8);
    expect(new Set(messages.map((m) => m.partition.id)).size).toBe(8);
    // A message names its job and partition, nothing else.
    expect(messages[0]).toEqual({ kind: 'partition', jobId: 'ndvi-events', op: 'tile-reduce', partition: { id: expect.any(String) } });
  });

  it('reads a job by reference from S3', async () => {
    // Prepare
    const deps = awsTestDeps(aws);
    const job = JSON.parse((await event<SQSEvent>('sqs-partner-submission.json')).Records[0].body);
    await aws.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'jobs/ndvi-events.json', Body: JSON.stringify({ ...job, id: 'ndvi-by-ref', output: `s3://${BUCKET}/out/ndvi-by-ref` }) }));
    // Act
    const out = await createJobsHandler(deps)(await event<SQSEvent>('sqs-job-by-reference.json'), fakeContext());
    // Assess
    expect(out.batchItemFailures).toEqual([]);
    expect(await deps.store.getJob('ndvi-by-ref')).toMatchObject({ status: 'RUNNING', total: 8 });
    expect(await drainBodies(aws.config.opQueues['tile-reduce'])).toHaveLength(8);
  });

  it('records an invalid job as INVALID with every problem, without a retry', async () => {
    // Prepare
    const deps = awsTestDeps(aws);
    // Act
    const out = await createJobsHandler(deps)(await event<SQSEvent>('sqs-invalid-job.json'), fakeContext());
    const job = await deps.store.getJob('ndvi-invalid');
    // Assess
    expect(out.batchItemFailures).toEqual([]);
    expect(job?.status).toBe('INVALID');
    expect(job?.errors.join('\n')).toMatch(/params\.expression/);
    expect(job?.errors.join('\n')).toMatch(/params\.reducer/);
  });
});

describe('jobs handler: bounded before allocated (issue 10)', () => {
  it('records the 1e-9 m grid job as INVALID with the numbers and sends no partition', async () => {
    // Prepare
    const deps = awsTestDeps(aws);
    const item = `s3://${BUCKET}/sample-data/s2-l2a-33TWM/S2B_33TWM_20230810_0_L2A/S2B_33TWM_20230810_0_L2A.json`;
    const job = { ...hugeGridJob([item], `s3://${BUCKET}/out/huge`), id: 'huge-grid' };
    const submission = await event<SQSEvent>('sqs-partner-submission.json');
    // Act
    const out = await createJobsHandler(deps)({ Records: [{ ...submission.Records[0], body: JSON.stringify(job) }] }, fakeContext());
    // Assess
    expect(out.batchItemFailures).toEqual([]);
    expect(await deps.store.getJob('huge-grid')).toMatchObject({ status: 'INVALID', errors: [expect.stringMatching(/pixels, more than the limit of 1,000,000,000/)] });
    expect(await drainBodies(aws.config.opQueues['tile-reduce'])).toEqual([]);
  });
});

describe('jobs handler: the merge must fit the finalize function (issue 9)', () => {
  it('refuses, before any partition is sent, a job whose merge needs more than the finalize memory, with the plan', async () => {
    // Prepare: the limits as the deployment reads them, the finalize memory set below this merge's need.
    const limits = configFromEnv({ EOFN_MAX_MERGE_MB: '170' }, undefined).jobLimits!;
    const base = awsTestDeps(aws);
    const deps = { ...base, config: { ...base.config, jobLimits: limits } };
    const submission = await event<SQSEvent>('sqs-partner-submission.json');
    const job = { ...JSON.parse(submission.Records[0].body), id: 'merge-too-big', output: `s3://${BUCKET}/out/merge-too-big` };
    // Act
    const out = await createJobsHandler(deps)({ Records: [{ ...submission.Records[0], body: JSON.stringify(job) }] }, fakeContext());
    // Assess
    expect(limits.maxMergeScratchBytes).toBe(512 * 2 ** 20);
    expect(out.batchItemFailures).toEqual([]);
    const record = await deps.store.getJob('merge-too-big');
    expect(record?.status).toBe('INVALID');
    expect(record?.errors.join('\n')).toMatch(/merge needs about \d+ MB, more than the limit of 170 MB.*EOFN_MAX_MERGE_MB/s);
    expect(record?.errors.join('\n')).toMatch(/partitions/);
    expect(await drainBodies(aws.config.opQueues['tile-reduce'])).toEqual([]);
  });
});

describe('op handler', () => {
  it('runs each partition of a batch, counts it once, and reports the poison message as failed', async () => {
    // Prepare
    const deps = awsTestDeps(aws);
    const handler = createOpHandler(deps);
    const batch = await event<SQSEvent>('sqs-partition-batch.json');
    // Act
    const first = await handler(batch, fakeContext());
    const duplicate = await handler({ Records: batch.Records.slice(0, 2) }, fakeContext());
    const job = await deps.store.getJob('ndvi-events');
    const parts = await deps.store.partitions('ndvi-events');
    // Assess
    expect(first.batchItemFailures).toEqual([{ itemIdentifier: batch.Records[2].messageId }]);
    expect(duplicate.batchItemFailures).toEqual([]);
    expect(job?.done).toBe(2);
    expect(parts.map((p) => [p.id, p.status, p.attempts])).toEqual([
      ['r00000-c00000-128x64', 'SUCCEEDED', 1], ['r00000-c00128-128x64', 'SUCCEEDED', 1],
    ]);
    const { prepared } = await loadPrepared(job!.preparedRef!);
    expect(await partExists(prepared, 'r00000-c00000-128x64')).toBe(true);
    const dead = await aws.doc.send(new (await import('@aws-sdk/lib-dynamodb')).QueryCommand({
      TableName: aws.config.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': 'JOB#unknown' },
    }));
    expect(dead.Items?.[0]).toMatchObject({ sk: `DEAD#${batch.Records[2].messageId}`, error: expect.stringMatching(/message: not valid JSON/) });
  });
});

describe('op handler: planned work only (issue 10)', () => {
  const record = (body: unknown, id: string, receiveCount = 1) => ({
    messageId: id, receiptHandle: `rh-${id}`, body: JSON.stringify(body), md5OfBody: '', eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:eu-central-1:123456789012:eofn-tile-reduce', awsRegion: 'eu-central-1', messageAttributes: {},
    attributes: { ApproximateReceiveCount: String(receiveCount), SentTimestamp: '1', SenderId: 'x', ApproximateFirstReceiveTimestamp: '1' },
  });

  it('runs what the job record planned, not the prepared job or window a forged message names', async () => {
    // Prepare: an attacker serves a prepared job under the victim's id whose expression is a constant 42
    const deps = awsTestDeps(aws);
    const real = `s3://${BUCKET}/out/ndvi-events/_eofn/prepared.json`;
    const stored = JSON.parse(new TextDecoder().decode(await (await aws.s3.send(new (await import('@aws-sdk/client-s3')).GetObjectCommand({ Bucket: BUCKET, Key: 'out/ndvi-events/_eofn/prepared.json' }))).Body!.transformToByteArray()));
    stored.prepared.setup.expression = '0 * nir + 42';
    stored.prepared.outputHref = `s3://${BUCKET}/stolen`;
    await aws.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'evil/prepared.json', Body: JSON.stringify(stored) }));
    const seen: { expression: string; output: string; window: unknown }[] = [];
    const handler = createOpHandler(deps, {
      runPartition: async (prepared, partition) => {
        seen.push({ expression: (prepared.setup as { expression: string }).expression, output: prepared.outputHref, window: partition.window });
        return { bytes: 0, seconds: 0 };
      },
    });
    const forged = { kind: 'partition', jobId: 'ndvi-events', op: 'tile-reduce', preparedRef: `s3://${BUCKET}/evil/prepared.json`,
      partition: { id: 'r00064-c00000-128x64', window: { x: 0, y: 0, width: 4096, height: 4096 }, estimatedPeakBytes: 1 } };
    // Act
    const out = await handler({ Records: [record(forged, 'forged-1')] }, fakeContext());
    // Assess
    expect(out.batchItemFailures).toEqual([]);
    expect(real).toContain('ndvi-events');
    expect(seen).toEqual([{ expression: '(nir - red) / (nir + red)', output: `s3://${BUCKET}/out/ndvi-events`, window: { x: 0, y: 64, width: 128, height: 64 } }]);
  });

  it('refuses a partition of a job that was never planned, and a prepared job changed after planning', async () => {
    // Prepare
    const deps = awsTestDeps(aws);
    let runs = 0;
    const handler = createOpHandler(deps, { runPartition: async () => { runs++; return { bytes: 0, seconds: 0 }; } });
    const unknownJob = { kind: 'partition', jobId: 'nobody-planned-this', op: 'tile-reduce', partition: { id: 'r00000-c00000-128x64' } };
    const key = 'out/ndvi-events/_eofn/prepared.json';
    const original = await (await aws.s3.send(new (await import('@aws-sdk/client-s3')).GetObjectCommand({ Bucket: BUCKET, Key: key }))).Body!.transformToByteArray();
    await aws.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: new TextDecoder().decode(original).replace('(nir - red) / (nir + red)', '0 * nir + 42    ') }));
    const tampered = { kind: 'partition', jobId: 'ndvi-events', op: 'tile-reduce', partition: { id: 'r00128-c00000-128x64' } };
    // Act
    const out = await handler({ Records: [record(unknownJob, 'forged-2', 5), record(tampered, 'forged-3', 5)] }, fakeContext());
    await aws.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: original }));
    const parts = await deps.store.partitions('ndvi-events');
    // Assess
    expect(runs).toBe(0);
    // The message of no planned partition goes on to the DLQ; the changed prepared job is settled DEAD now.
    expect(out.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(['forged-2']);
    expect(parts.find((p) => p.id === 'r00128-c00000-128x64')).toMatchObject({ status: 'DEAD', error: expect.stringMatching(/does not match the one recorded/) });
  });
});

describe('finalize handler: planned work only (issue 10)', () => {
  it('ignores a finalize message for a job whose partitions are still running', async () => {
    // Prepare: ndvi-events has partitions left (the op tests above ran a few of its 8)
    const deps = awsTestDeps(aws);
    const before = await deps.store.getJob('ndvi-events');
    expect(before!.done).toBeLessThan(before!.total);
    const submission = await event<SQSEvent>('sqs-partner-submission.json');
    // Act
    const out = await createFinalizeHandler(deps)({ Records: [{ ...submission.Records[0], body: JSON.stringify({ kind: 'finalize', jobId: 'ndvi-events' }) }] }, fakeContext());
    // Assess
    expect(out.batchItemFailures).toEqual([]);
    expect(await deps.store.getJob('ndvi-events')).toMatchObject({ status: 'RUNNING', done: before!.done });
  });
});

describe('arrivals handler', () => {
  const rules = [
    { name: 'ndvi-33twm', tiles: ['33TWM'], maxCloudCover: 80, job: { op: 'tile-reduce', params: { expression: '(nir - red) / (nir + red)', reducer: 'first' }, output: 's3://{bucket}/products/{rule}/{tile}/{date}' } },
    { name: 'elsewhere', tiles: ['31UFU'], job: { op: 'tile-reduce', params: { expression: 'nir', reducer: 'first' }, output: 's3://{bucket}/x' } },
  ];

  it('starts the matching jobs for an S3 ObjectCreated item', async () => {
    // Prepare
    const deps = awsTestDeps(aws, { config: { ...aws.config, arrivalRules: rules } });
    // Act
    const out = await createArrivalsHandler(deps)(await event<S3Event>('s3-object-created.json'));
    const sent = await drainBodies(aws.config.jobsQueueUrl);
    // Assess
    expect(out.jobs).toEqual(['ndvi-33twm-S2B_33TWM_20230810_0_L2A']);
    expect(sent).toEqual([{ kind: 'job', job: expect.objectContaining({
      id: 'ndvi-33twm-S2B_33TWM_20230810_0_L2A', items: [`s3://${BUCKET}/arrivals/S2B_33TWM_20230810_0_L2A/S2B_33TWM_20230810_0_L2A.json`],
      output: `s3://${aws.bucket}/products/ndvi-33twm/33TWM/2023-08-10`,
    }) }]);
  });

  it('starts the matching jobs for an SNS new-item notification, pointing at the item\'s self link', async () => {
    // Prepare
    const deps = awsTestDeps(aws, { config: { ...aws.config, arrivalRules: rules } });
    // Act
    const out = await createArrivalsHandler(deps)(await event<SNSEvent>('sns-new-item.json'));
    const sent = await drainBodies(aws.config.jobsQueueUrl);
    // Assess
    expect(out.jobs).toEqual(['ndvi-33twm-S2B_33TWM_20230813_0_L2A']);
    expect(sent[0].job.items).toEqual([`s3://${BUCKET}/sample-data/s2-l2a-33TWM/S2B_33TWM_20230813_0_L2A/S2B_33TWM_20230813_0_L2A.json`]);
    // The job it starts is valid and plans in the jobs handler.
    const planned = await createJobsHandler(deps)({ Records: [{ ...(await event<SQSEvent>('sqs-partner-submission.json')).Records[0], body: JSON.stringify(sent[0]) }] }, fakeContext());
    expect(planned.batchItemFailures).toEqual([]);
    expect((await deps.store.getJob('ndvi-33twm-S2B_33TWM_20230813_0_L2A'))?.status).toBe('RUNNING');
  });
});
