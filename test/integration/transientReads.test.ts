/**
 * One error model on every path (issue 13.3): a read that fails for a while (HTTP 503 past HttpStorage's own
 * retries) fails the partition's attempt and the partition is tried again; a read that can never succeed
 * (HTTP 404) fails it once, DEAD, never retried. The same assets on the same server go through the local
 * worker pool (in this thread, and on worker threads where an error loses its class), the Lambda op handler
 * (the message is left for SQS to deliver again, or acknowledged) and the OpenFaaS op function (a 500 whose
 * partition the reconciler dispatches again, or a dead letter).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SQSRecord } from 'aws-lambda';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { createJobsHandler } from '../../functions/adapters/lambda/jobsHandler.ts';
import { createOpHandler } from '../../functions/adapters/lambda/opHandler.ts';
import { useCloudStorages } from '../../functions/adapters/lambda/cloudStorages.ts';
import { runJobLocally } from '../../functions/adapters/local/runJobLocally.ts';
import { registerLocalStorages } from '../../functions/adapters/local/registerLocalStorages.ts';
import { S3Storage } from '../../functions/adapters/shared/s3Storage.ts';
import { startFailingAssetServer, type FailingAssetServer } from '../helpers/failingAssetServer.ts';
import { ndviJob, tempOutput } from '../helpers/sampleJobs.ts';
import { startAwsEmulators, type AwsTestEnv } from '../helpers/awsEmulators.ts';
import { awsTestDeps } from '../helpers/awsDeps.ts';
import { fakeContext } from '../helpers/awsEventSource.ts';
import { startDiasHarness, type DiasHarness } from './openfaas/helpers/diasHarness.ts';

const TRANSIENT = /request failed after 3 attempts: HTTP 503/;
const PERMANENT = /not found \(HTTP 404\)/;

let assets: FailingAssetServer;

/** The two partitions last in the image: their blocks lie past the 64 KiB header read, so they meet the failure. */
function lastTwo(messages: { partition: { id: string } }[]): any[] {
  return [...messages].sort((a, b) => a.partition.id.localeCompare(b.partition.id)).slice(-2);
}

async function drainBodies(aws: AwsTestEnv, queueUrl: string): Promise<any[]> {
  const out: any[] = [];
  for (;;) {
    const r = await aws.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 30 }));
    if (!r.Messages?.length) return out;
    out.push(...r.Messages.map((m) => JSON.parse(m.Body!)));
  }
}

beforeAll(async () => {
  assets = await startFailingAssetServer();
});

afterAll(async () => {
  await assets?.close();
});

describe('local worker pool', () => {
  beforeAll(() => registerLocalStorages());

  async function runLocally(workers: number, status: number) {
    assets.fail('B04.tif', status);
    try {
      const output = await tempOutput(`transient-${workers}-${status}`);
      const { record } = await runJobLocally({ job: { raw: ndviJob({}, assets.itemHrefs()) }, output, workers, memoryMb: 1024, retries: 2, quiet: true });
      return record;
    } finally {
      assets.fail('B04.tif', undefined);
    }
  }

  for (const workers of [1, 2]) {
    it(`retries a partition whose read failed for a while, up to the limit (${workers === 1 ? 'in this thread' : 'worker threads'})`, async () => {
      // Act
      const record = await runLocally(workers, 503);
      // Assess
      expect(record.status).toBe('FAILED');
      for (const p of record.partitions) expect(p).toMatchObject({ status: 'FAILED', attempts: 3, error: expect.stringMatching(TRANSIENT) });
    });

    it(`does not retry a partition whose input is missing (${workers === 1 ? 'in this thread' : 'worker threads'})`, async () => {
      // Act
      const record = await runLocally(workers, 404);
      // Assess
      expect(record.status).toBe('FAILED');
      for (const p of record.partitions) expect(p).toMatchObject({ status: 'FAILED', attempts: 1, error: expect.stringMatching(PERMANENT) });
    });
  }

  it('succeeds once the server recovers', async () => {
    // Act
    const output = await tempOutput('transient-healed');
    const { record } = await runJobLocally({ job: { raw: ndviJob({}, assets.itemHrefs()) }, output, workers: 1, memoryMb: 1024, quiet: true });
    // Assess
    expect(record.status).toBe('SUCCEEDED');
  });
});

describe('Lambda op handler', () => {
  let aws: AwsTestEnv;
  const record = (body: unknown, id: string, receiveCount: number): SQSRecord => ({
    messageId: id, receiptHandle: `rh-${id}`, body: JSON.stringify(body), md5OfBody: '', eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:eu-central-1:123456789012:eofn-tile-reduce', awsRegion: 'eu-central-1', messageAttributes: {},
    attributes: { ApproximateReceiveCount: String(receiveCount), SentTimestamp: '1', SenderId: 'x', ApproximateFirstReceiveTimestamp: '1' },
  });

  beforeAll(async () => {
    aws = await startAwsEmulators({ ops: ['tile-reduce'] });
    aws.config.opMemoryMb['tile-reduce'] = 161;
    useCloudStorages(new S3Storage(aws.s3), { EOFN_ALLOWED_HTTP_HOSTS: '127.0.0.1' });
  });

  afterAll(async () => {
    registerLocalStorages();
    await aws?.stop();
  });

  it('leaves a message whose read failed for a while to SQS, and acknowledges one whose input is missing', async () => {
    // Prepare: a planned job, its partition messages taken off the queue
    const deps = awsTestDeps(aws);
    const job = { ...ndviJob({}, assets.itemHrefs()), id: 'transient-lambda', output: `s3://${aws.bucket}/out/transient-lambda` };
    const accepted = await createJobsHandler(deps)({ Records: [record(job, 'job-1', 1)] }, fakeContext());
    expect(accepted.batchItemFailures).toEqual([]);
    const [flaky, missing] = lastTwo(await drainBodies(aws, aws.config.opQueues['tile-reduce']));
    const handler = createOpHandler(deps);
    // Act
    assets.fail('B04.tif', 503);
    const outage = await handler({ Records: [record(flaky, 'flaky-1', 1)] }, fakeContext());
    const afterOutage = (await deps.store.partitions(job.id)).find((p) => p.id === flaky.partition.id);
    assets.fail('B04.tif', 404);
    const gone = await handler({ Records: [record(missing, 'missing-1', 1)] }, fakeContext());
    assets.fail('B04.tif', undefined);
    const redelivered = await handler({ Records: [record(flaky, 'flaky-1', 2)] }, fakeContext());
    const parts = await deps.store.partitions(job.id);
    // Assess
    expect(outage.batchItemFailures).toEqual([{ itemIdentifier: 'flaky-1' }]);
    expect(afterOutage).toMatchObject({ status: 'FAILED', error: expect.stringMatching(TRANSIENT) });
    expect(gone.batchItemFailures).toEqual([]);
    expect(parts.find((p) => p.id === missing.partition.id)).toMatchObject({ status: 'DEAD', error: expect.stringMatching(PERMANENT) });
    expect(redelivered.batchItemFailures).toEqual([]);
    expect(parts.find((p) => p.id === flaky.partition.id)).toMatchObject({ status: 'SUCCEEDED' });
    expect(await deps.store.getJob(job.id)).toMatchObject({ done: 1, failed: 1 });
  });
});

describe('OpenFaaS op function', () => {
  let dias: DiasHarness;

  async function post(url: string, body: unknown): Promise<{ status: number; body: any }> {
    const res = await fetch(url, { method: 'POST', headers: dias.headers, body: JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  }

  beforeAll(async () => {
    dias = await startDiasHarness('transient', ['jobs', 'tile-reduce', 'reconcile']);
  });

  afterAll(async () => {
    registerLocalStorages();
    await dias?.close();
  });

  it('answers 500 and dispatches again a partition whose read failed for a while, and dead-letters one whose input is missing', async () => {
    // Prepare: a planned job whose partition dispatches are held back
    const held: any[] = [];
    dias.gateway.intercept((fn, body) => (fn === 'eofn-tile-reduce' ? (held.push(body), 'drop') : 'deliver'));
    const job = { ...ndviJob({}, assets.itemHrefs()), id: 'transient-dias', output: 's3://results/transient-dias' };
    expect((await post(`${dias.gateway.url}/async-function/eofn-jobs`, { kind: 'job', job })).status).toBe(202);
    await dias.gateway.idle();
    const [flaky, missing] = lastTwo(held.splice(0));
    // Act
    assets.fail('B04.tif', 503);
    const outage = await post(dias.urls['tile-reduce'], flaky);
    assets.fail('B04.tif', 404);
    const gone = await post(dias.urls['tile-reduce'], missing);
    assets.fail('B04.tif', undefined);
    await post(dias.urls.reconcile, {});
    await dias.gateway.idle();
    const again = held.filter((m) => m.partition?.id === flaky.partition.id);
    const retried = await post(dias.urls['tile-reduce'], again[0]);
    dias.gateway.intercept(undefined);
    const status = await dias.store.status(job.id);
    // Assess
    expect(outage).toMatchObject({ status: 500, body: { permanent: false, dead: false, error: expect.stringMatching(TRANSIENT) } });
    expect(gone).toMatchObject({ status: 500, body: { permanent: true, dead: true, error: expect.stringMatching(PERMANENT) } });
    expect(again).toHaveLength(1);
    expect(held.some((m) => m.partition?.id === missing.partition.id)).toBe(false);
    expect(retried).toMatchObject({ status: 200, body: { attempt: 2 } });
    expect(status!.partitions.find((p) => p.id === flaky.partition.id)).toMatchObject({ status: 'SUCCEEDED', attempts: 2 });
    expect(status!.partitions.find((p) => p.id === missing.partition.id)).toMatchObject({ status: 'DEAD', attempts: 1 });
  });
});
