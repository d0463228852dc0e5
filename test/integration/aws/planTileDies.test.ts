/**
 * A `plan-tile` message whose jobs function dies on every receive (AWS emulated: fauxqs + dynalite, the real
 * jobs, op, finalize and dead-letter handlers): SQS moves it to the jobs queue's DLQ after `maxReceiveCount`
 * receives, and the dead-letter consumer fails the job naming the tile, with one completion event. Redrive,
 * the cause fixed, sends the tile's `plan-tile` again and the job ends with the products of `eofn run`.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse } from 'aws-lambda';
import { S3Storage } from '../../../functions/adapters/shared/s3Storage.ts';
import { useCloudStorages } from '../../../functions/adapters/lambda/cloudStorages.ts';
import { createJobsHandler } from '../../../functions/adapters/lambda/jobsHandler.ts';
import { createOpHandler } from '../../../functions/adapters/lambda/opHandler.ts';
import { createFinalizeHandler } from '../../../functions/adapters/lambda/finalizeHandler.ts';
import { createDeadLetterHandler } from '../../../functions/adapters/lambda/deadLetterHandler.ts';
import { createAwsBackend } from '../../../functions/adapters/lambda/cliBackend.ts';
import { registerLocalStorages } from '../../../functions/adapters/local/registerLocalStorages.ts';
import { startAwsEmulators, type AwsTestEnv } from '../../helpers/awsEmulators.ts';
import { awsTestDeps } from '../../helpers/awsDeps.ts';
import { drain, type SqsHandler } from '../../helpers/awsEventSource.ts';
import { withFanoutReference } from '../../helpers/fanout/withFanoutReference.ts';

const OP = 'tile-reduce';
const fixture = withFanoutReference('eofn-plan-tile-dies-', 2, 3);
let aws: AwsTestEnv;

beforeAll(async () => {
  aws = await startAwsEmulators({ ops: [OP], maxReceiveCount: 2, visibilityTimeout: 1 });
  aws.config.minPartitions = fixture.inputs.partitions;
  aws.config.planFanOutTiles = 2;
  for (const file of fixture.inputs.files) {
    await aws.s3.send(new PutObjectCommand({ Bucket: aws.bucket, Key: `fan/${file}`, Body: await readFile(join(fixture.inputs.dir, file)) }));
  }
}, 120_000);

afterAll(async () => {
  registerLocalStorages();
  await aws?.stop();
});

async function completions(): Promise<{ jobId: string; status: string }[]> {
  const out: { jobId: string; status: string }[] = [];
  for (;;) {
    const r = await aws.sqs.send(new ReceiveMessageCommand({ QueueUrl: aws.completionsQueueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 60 }));
    if (!r.Messages?.length) return out;
    out.push(...r.Messages.map((m) => JSON.parse(m.Body!)));
  }
}

describe('a plan-tile message that dies on every receive (AWS, emulated)', () => {
  it('fails the job naming the tile, and redrive after the fix plans it and finishes the job', async () => {
    // Prepare: the jobs function dies (reports nothing) on every receive of 33TYM's plan-tile until fixed
    useCloudStorages(new S3Storage(aws.s3));
    const deps = awsTestDeps(aws);
    const backend = createAwsBackend(aws.config, deps.store, deps.send);
    const jobs = createJobsHandler(deps);
    let broken = true;
    let receives = 0;
    const dyingJobs: SqsHandler = async (event, context) => {
      const record = event.Records[0];
      const body = JSON.parse(record.body);
      if (broken && body.kind === 'plan-tile' && body.tile === '33TYM') {
        receives++;
        return { batchItemFailures: [{ itemIdentifier: record.messageId }] };
      }
      return (await jobs({ Records: [record] }, context)) as SQSBatchResponse;
    };
    const oneAtATime = (handler: SqsHandler): SqsHandler => async (event, context) => {
      const failures = [];
      for (const record of event.Records) failures.push(...((await handler({ Records: [record] }, context)) as SQSBatchResponse).batchItemFailures);
      return { batchItemFailures: failures };
    };
    const handlers: [string, SqsHandler][] = [
      [aws.config.jobsQueueUrl, oneAtATime(dyingJobs)],
      [aws.config.opQueues[OP], createOpHandler(deps)],
      [aws.config.finalizeQueueUrl, createFinalizeHandler(deps)],
      ...Object.values(aws.dlqUrls).map((url) => [url, createDeadLetterHandler(deps)] as [string, SqsHandler]),
    ];
    const job = fixture.inputs.job(`s3://${aws.bucket}/fan`, `s3://${aws.bucket}/out/plan-tile-dies`, 'plan-tile-dies');

    // Act
    await deps.send(aws.config.jobsQueueUrl, [{ kind: 'job', job }]);
    await drain(aws.sqs, handlers, 60_000);
    const failed = await backend.status('plan-tile-dies');
    const firstEvents = await completions();
    broken = false;
    const redriven = await backend.redrive('plan-tile-dies');
    await drain(aws.sqs, handlers, 60_000);

    // Assess: FAILED naming the tile, with one completion event, and nothing left in a DLQ
    expect(receives).toBe(2);
    expect(failed).toMatchObject({ status: 'FAILED', tiles: { planned: 2, total: 3 } });
    expect(failed!.errors).toEqual(['tile 33TYM: planning did not complete in 2 receive(s): the jobs function timed out, ran out of memory or crashed (see its log)']);
    expect(firstEvents.filter((e) => e.jobId === 'plan-tile-dies').map((e) => e.status)).toEqual(['FAILED']);
    // … and redriven, the tile is planned and the job ends with eofn run's products
    expect(redriven).toEqual({ partitions: 0, tiles: 1, merge: false, submission: false });
    expect(await backend.status('plan-tile-dies')).toMatchObject({ status: 'SUCCEEDED', done: fixture.inputs.partitions, failed: 0, tiles: { planned: 3, total: 3 } });
    expect((await completions()).filter((e) => e.jobId === 'plan-tile-dies').map((e) => e.status)).toEqual(['SUCCEEDED']);
    for (const key of fixture.inputs.products) {
      const out = await aws.s3.send(new GetObjectCommand({ Bucket: aws.bucket, Key: `out/plan-tile-dies/${key}` }));
      expect(Buffer.from(await out.Body!.transformToByteArray()).equals(fixture.reference[key]), key).toBe(true);
    }
  }, 150_000);
});
