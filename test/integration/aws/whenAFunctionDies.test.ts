/**
 * When a function dies, the job ends somewhere visible (AWS emulated: fauxqs + dynalite, or the endpoint in
 * AWS_ENDPOINT_URL). Faulty invocations run in worker threads that are terminated like Lambda ends a function:
 * at its timeout, or earlier without warning (out of memory). Five jobs run at once, each with one fault:
 * a partition that times out on every try, one killed for memory on every try, one that crashes between its
 * claim and its write once, a finalize that dies on every try, and a submission whose jobs stage times out on
 * every try. Every DLQ is read by the dead-letter consumer; `eofn status` and `eofn redrive` see the result.
 * Then: duplicate finalize deliveries publish one event, and the sweeper settles a partition whose messages
 * were lost.
 */
import { readFile, readdir, rm, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { runJobLocally } from '../../../functions/adapters/local/runJobLocally.ts';
import { registerLocalStorages } from '../../../functions/adapters/local/registerLocalStorages.ts';
import { S3Storage } from '../../../functions/adapters/shared/s3Storage.ts';
import { registerStorage } from '../../../functions/core/io/storage.ts';
import { useCloudStorages } from '../../../functions/adapters/lambda/cloudStorages.ts';
import { createJobsHandler } from '../../../functions/adapters/lambda/jobsHandler.ts';
import { createOpHandler } from '../../../functions/adapters/lambda/opHandler.ts';
import { createFinalizeHandler } from '../../../functions/adapters/lambda/finalizeHandler.ts';
import { createDeadLetterHandler } from '../../../functions/adapters/lambda/deadLetterHandler.ts';
import { createSweepHandler } from '../../../functions/adapters/lambda/sweepHandler.ts';
import { createAwsBackend } from '../../../functions/adapters/lambda/cliBackend.ts';
import { finalizeJob } from '../../../functions/core/engine/index.ts';
import { startAwsEmulators, type AwsTestEnv } from '../../helpers/awsEmulators.ts';
import { awsTestDeps } from '../../helpers/awsDeps.ts';
import { drain, fakeContext, type SqsHandler } from '../../helpers/awsEventSource.ts';
import { workerLambdas, type WorkerInvocation } from '../../helpers/lambdaInWorker.ts';

const SAMPLE = join(import.meta.dirname, '../../../sample-data');
const OP = 'tile-reduce';
/** The functions' timeout here; the queues' visibility timeout is 2 s, so a dead attempt is retried after it. */
const TIMEOUT_MS = 1600;
const REDUCERS = { timeout: 'mean', oom: 'max', crash: 'min', finalize: 'median', submission: 'std' } as const;
type Scenario = keyof typeof REDUCERS;

let aws: AwsTestEnv;
let lambdas: ReturnType<typeof workerLambdas>;
let references: Record<Scenario, Buffer>;

function job(scenario: Scenario): Record<string, unknown> {
  return {
    id: `dies-${scenario}`, op: OP,
    items: ['S2B_33TWM_20230810_0_L2A', 'S2A_33TWM_20230815_0_L2A', 'S2B_33TWM_20230820_0_L2A']
      .map((i) => `s3://${aws.bucket}/sample-data/s2-l2a-33TWM/${i}/${i}.json`),
    params: { expression: '(nir - red) / (nir + red)', reducer: REDUCERS[scenario], mask: { asset: 'scl', exclude: [0, 1, 3, 8, 9, 10] } },
    output: `s3://${aws.bucket}/out/dies-${scenario}`,
  };
}

async function s3Bytes(key: string): Promise<Buffer> {
  const out = await aws.s3.send(new GetObjectCommand({ Bucket: aws.bucket, Key: key }));
  return Buffer.from(await out.Body!.transformToByteArray());
}

async function keysUnder(prefix: string): Promise<string[]> {
  return ((await aws.s3.send(new ListObjectsV2Command({ Bucket: aws.bucket, Prefix: prefix }))).Contents ?? []).map((o) => o.Key!);
}

async function completions(): Promise<any[]> {
  const out: any[] = [];
  for (;;) {
    const r = await aws.sqs.send(new ReceiveMessageCommand({ QueueUrl: aws.completionsQueueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 60 }));
    if (!r.Messages?.length) return out;
    out.push(...r.Messages.map((m) => JSON.parse(m.Body!)));
  }
}

/**
 * The event source of one queue, where `faultOf` picks the records whose invocation dies: those run alone in
 * a worker that is killed; the rest run in this process, one record per invocation as the stack configures.
 */
type Fault = Pick<WorkerInvocation, 'fault' | 'killAfterMs' | 'killWhen' | 'killAtClaim'> | undefined;

function consumer(handler: WorkerInvocation['handler'], inProcess: SqsHandler, faultOf: (body: any) => Fault | Promise<Fault>): SqsHandler {
  return async (event) => {
    // Concurrent invocations, one record each, as Lambda scales out on a queue.
    const responses = await Promise.all(event.Records.map(async (record) => {
      const single: SQSEvent = { Records: [record] };
      const fault = await faultOf(JSON.parse(record.body));
      const response = fault
        ? await lambdas.invoke({ handler, event: single, timeoutMs: TIMEOUT_MS, ...fault })
        : (await inProcess(single, fakeContext())) as SQSBatchResponse;
      // A killed invocation reports nothing: SQS makes the message visible again after its timeout.
      return response ? response.batchItemFailures : [{ itemIdentifier: record.messageId }];
    }));
    return { batchItemFailures: responses.flat() };
  };
}

beforeAll(async () => {
  aws = await startAwsEmulators({ ops: [OP], visibilityTimeout: 2 });
  aws.config.opMemoryMb[OP] = 161;
  aws.config.opTimeoutSeconds[OP] = TIMEOUT_MS / 1000;
  for (const entry of await readdir(join(SAMPLE, 's2-l2a-33TWM'), { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    await aws.s3.send(new PutObjectCommand({ Bucket: aws.bucket, Key: `sample-data/s2-l2a-33TWM/${relative(join(SAMPLE, 's2-l2a-33TWM'), path)}`, Body: await readFile(path) }));
  }
  // The references: each job run with `eofn run` on the same items, read from the emulated S3.
  registerLocalStorages();
  registerStorage('s3', new S3Storage(aws.s3));
  const dir = await mkdtemp(join(tmpdir(), 'eofn-dies-'));
  references = {} as Record<Scenario, Buffer>;
  for (const s of Object.keys(REDUCERS) as Scenario[]) {
    await runJobLocally({ job: { raw: { ...job(s), output: join(dir, s) } }, workers: 1, quiet: true });
    references[s] = await readFile(join(dir, s, 'result.tif'));
  }
  await rm(dir, { recursive: true, force: true });
  useCloudStorages(new S3Storage(aws.s3));
  lambdas = workerLambdas({ config: aws.config, endpoints: aws.endpoints });
});

afterAll(async () => {
  await lambdas?.close();
  await aws?.stop();
});

describe('when a function dies (AWS, emulated)', () => {
  it('records every death with its reason, fails the job visibly, and redrive finishes it', async () => {
    // Prepare
    const deps = awsTestDeps(aws);
    const backend = createAwsBackend(aws.config, deps.store, deps.send);
    const victims = new Map<string, string>(); // job → its first partition
    const tries = new Map<string, number>();
    let crashed = false;
    const attemptsOf = async (body: any) => (await deps.store.getPartition(body.jobId, body.partition.id))?.attempts ?? 0;
    /**
     * True once this invocation has claimed the partition: its attempt count went up since before the
     * invocation started. (Read before, not at the first poll: on a slow emulator the claim could land first,
     * and the kill would then wait for the function's timeout, whose warning records a timeout instead.)
     */
    const claimedBy = async (body: any) => {
      const before = await attemptsOf(body);
      return async () => (await attemptsOf(body)) > before;
    };
    const opFault = async (body: any): Promise<Fault> => {
      if (body.kind !== 'partition' || !broken) return undefined;
      if (!victims.has(body.jobId)) victims.set(body.jobId, body.partition.id);
      if (victims.get(body.jobId) !== body.partition.id) return undefined;
      const n = (tries.get(body.jobId) ?? 0) + 1;
      tries.set(body.jobId, n);
      if (body.jobId === 'dies-timeout') return { fault: 'hang' as const };
      // Out of memory: killed mid-work, the moment it has claimed the partition, before its timeout.
      if (body.jobId === 'dies-oom') return { fault: 'hang' as const, killAtClaim: true };
      if (body.jobId === 'dies-crash' && !crashed) {
        // Killed right after its claim, before any part is written (until that has happened once).
        const claimed = await claimedBy(body);
        return { fault: 'hang' as const, killWhen: async () => (crashed = await claimed()) };
      }
      return undefined;
    };
    let broken = true;
    const handlers: [string, SqsHandler][] = [
      [aws.config.jobsQueueUrl, consumer('jobs', createJobsHandler(deps), (b) => (broken && b.job?.id === 'dies-submission' ? { fault: 'hang' } : undefined))],
      [aws.config.opQueues[OP], consumer('op', createOpHandler(deps), opFault)],
      [aws.config.finalizeQueueUrl, consumer('finalize', createFinalizeHandler(deps), (b) => (broken && b.jobId === 'dies-finalize' ? { fault: 'hang' } : undefined))],
      ...Object.values(aws.dlqUrls).map((url) => [url, createDeadLetterHandler(deps)] as [string, SqsHandler]),
    ];

    // Act
    for (const s of Object.keys(REDUCERS) as Scenario[]) await deps.send(aws.config.jobsQueueUrl, [{ kind: 'job', job: job(s) }]);
    await drain(aws.sqs, handlers, 150_000);
    const status = Object.fromEntries(await Promise.all((Object.keys(REDUCERS) as Scenario[]).map(async (s) => [s, await backend.status(`dies-${s}`)])));
    const events = await completions();

    // Assess: a partition that timed out on every try is DEAD with the timeout as its reason
    const timedOut = status.timeout.partitions.find((p: any) => p.id === victims.get('dies-timeout'));
    // (5 receives; a receive that finds the previous attempt's idempotency record still in progress runs no
    // attempt, and on a loaded machine an attempt may be killed before its note lands: hence "at least")
    expect(timedOut).toMatchObject({ status: 'DEAD' });
    expect(timedOut.attempts).toBeGreaterThanOrEqual(1);
    expect(timedOut.error).toMatch(/^timed out\b/);
    expect(timedOut.error).toMatch(new RegExp(`\\btimed out on [1-5] of ${timedOut.attempts} attempt\\(s\\)`));
    const counts = (s: Scenario) => JSON.stringify({ done: status[s].done, failed: status[s].failed, total: status[s].total, errors: status[s].errors });
    expect(status.timeout, counts('timeout')).toMatchObject({ status: 'FAILED', failed: 1 });
    // … one killed for memory on every try says so (no word from the function: not a timeout)
    const oom = status.oom.partitions.find((p: any) => p.id === victims.get('dies-oom'));
    expect(oom).toMatchObject({ status: 'DEAD' });
    expect(oom.attempts).toBeGreaterThanOrEqual(1);
    expect(oom.error).toMatch(new RegExp(`^no outcome recorded in ${oom.attempts} attempt\\(s\\): the function died before its timeout \\(out of memory, or a crash`));
    expect(status.oom, counts('oom')).toMatchObject({ status: 'FAILED', failed: 1 });
    // … one that crashed between its claim and its write once is simply done on the next try
    expect(status.crash).toMatchObject({ status: 'SUCCEEDED', failed: 0 });
    expect(crashed).toBe(true);
    const recovered = status.crash.partitions.find((p: any) => p.id === victims.get('dies-crash'));
    expect(recovered.status).toBe('SUCCEEDED');
    expect(recovered.attempts).toBeGreaterThanOrEqual(2);
    expect((await s3Bytes('out/dies-crash/result.tif')).equals(references.crash)).toBe(true);
    expect(await keysUnder('out/dies-crash/_')).toEqual([]); // scratch removed with the product written
    // … a finalize that died on every try fails the job with its reason
    expect(status.finalize).toMatchObject({ status: 'FAILED', done: status.finalize.total });
    expect(status.finalize.errors.join('\n')).toMatch(/^finalize: did not complete in 5 receive\(s\)/m);
    // … and a submission whose jobs stage timed out on every try is a visible FAILED job, not "no job"
    expect(status.submission).toMatchObject({ status: 'FAILED', total: 0 });
    expect(status.submission.errors.join('\n')).toMatch(/^jobs stage: the submission did not complete in 5 receive\(s\)/);
    // one completion event per finished job
    const byJob = (id: string) => events.filter((e) => e.jobId === id).map((e) => e.status);
    expect(byJob('dies-timeout')).toEqual(['FAILED']);
    expect(byJob('dies-oom')).toEqual(['FAILED']);
    expect(byJob('dies-crash')).toEqual(['SUCCEEDED']);
    expect(byJob('dies-finalize')).toEqual(['FAILED']);
    expect(byJob('dies-submission')).toEqual(['FAILED']);
    // the DLQs were read: nothing waits there
    for (const url of Object.values(aws.dlqUrls)) expect((await aws.sqs.send(new ReceiveMessageCommand({ QueueUrl: url }))).Messages ?? []).toEqual([]);

    // Act: the causes are fixed; everything is redriven
    broken = false;
    const sent = Object.fromEntries(await Promise.all((['timeout', 'oom', 'finalize', 'submission'] as Scenario[]).map(async (s) => [s, await backend.redrive(`dies-${s}`)])));
    await drain(aws.sqs, handlers, 150_000);

    // Assess: each job finishes with the product `eofn run` makes, and one more event (SUCCEEDED)
    const partition = { partitions: 1, tiles: 0, merge: false, submission: false };
    expect(sent).toEqual({ timeout: partition, oom: partition, finalize: { ...partition, partitions: 0, merge: true }, submission: { ...partition, partitions: 0, submission: true } });
    const more = await completions();
    for (const s of ['timeout', 'oom', 'finalize', 'submission'] as Scenario[]) {
      expect(await backend.status(`dies-${s}`), s).toMatchObject({ status: 'SUCCEEDED', failed: 0 });
      expect((await s3Bytes(`out/dies-${s}/result.tif`)).equals(references[s]), s).toBe(true);
      expect(more.filter((e) => e.jobId === `dies-${s}`).map((e) => e.status), s).toEqual(['SUCCEEDED']);
    }
  }, 180_000);

  it('publishes one completion event when a duplicate finalize arrives while the first is publishing', async () => {
    // Prepare: a job whose partitions are done; the first publish lets the duplicate run before it goes out
    const deps = awsTestDeps(aws);
    let duplicate: Promise<unknown> | undefined;
    let finalizeHandler: SqsHandler;
    const message = { kind: 'finalize', jobId: 'dies-dup' } as Record<string, unknown>;
    const publish = deps.publish;
    const slowPublish: typeof publish = async (m, a) => {
      duplicate ??= finalizeHandler(sqsEvent(message), fakeContext());
      await duplicate;
      return publish(m, a);
    };
    const dupDeps = { ...deps, publish: slowPublish };
    finalizeHandler = createFinalizeHandler(dupDeps, { finalizeJob });
    const handlers: [string, SqsHandler][] = [
      [aws.config.jobsQueueUrl, createJobsHandler(deps)], [aws.config.opQueues[OP], createOpHandler(deps)],
    ];
    await deps.send(aws.config.jobsQueueUrl, [{ kind: 'job', job: { ...job('crash'), id: 'dies-dup', output: `s3://${aws.bucket}/out/dies-dup` } }]);
    await drain(aws.sqs, handlers);
    // The op handler already queued finalize; take it off the queue and deliver it ourselves, twice.
    const queued = await aws.sqs.send(new ReceiveMessageCommand({ QueueUrl: aws.config.finalizeQueueUrl, MaxNumberOfMessages: 10 }));
    Object.assign(message, JSON.parse(queued.Messages![0].Body!));

    // Act
    const first = await finalizeHandler(sqsEvent(message), fakeContext());
    await duplicate;

    // Assess
    expect((first as SQSBatchResponse).batchItemFailures).toEqual([]);
    const events = (await completions()).filter((e) => e.jobId === 'dies-dup');
    expect(events).toEqual([expect.objectContaining({ status: 'SUCCEEDED', eventId: expect.stringMatching(/^dies-dup\/SUCCEEDED\//) })]);
    const done = (await deps.store.getJob('dies-dup'))! as unknown as Record<string, number>;
    expect(done).toMatchObject({ status: 'SUCCEEDED', notified: true });
    // The table's TTL attribute (dynalite has no TTL; the template test checks that the table enables it):
    // the finished job expires after the configured retention.
    expect(done.expiresAt - Date.now() / 1000).toBeGreaterThan(aws.config.retentionDays * 86400 - 120);
    expect(done.expiresAt - Date.now() / 1000).toBeLessThanOrEqual(aws.config.retentionDays * 86400);
  });

  it('the sweeper settles a partition whose messages were lost, and the job fails visibly', async () => {
    // Prepare: a planned job whose partition messages never arrive; one was started and then lost
    const deps = awsTestDeps(aws, { send: async () => undefined });
    await createJobsHandler(deps)(sqsEvent({ kind: 'job', job: { ...job('crash'), id: 'dies-lost', output: `s3://${aws.bucket}/out/dies-lost` } }), fakeContext());
    const planned = (await deps.store.getJob('dies-lost'))!;
    const { plan } = await (await import('../../../functions/core/engine/index.ts')).loadPrepared(planned.preparedRef!);
    for (const p of plan.partitions) await deps.store.startPartition('dies-lost', p.id, Math.floor(Date.now() / 1000) + 600);
    const sent: any[] = [];
    const sweep = createSweepHandler(awsTestDeps(aws, { send: async (_url, m) => void sent.push(...m) }), { now: () => Date.now() + 601_000 });

    // Act
    const early = await createSweepHandler(deps)();
    const late = await sweep();
    const again = await sweep();

    // Assess
    expect(early.settled.filter((s) => s.startsWith('dies-lost/'))).toEqual([]);
    expect(late.settled.filter((s) => s.startsWith('dies-lost/'))).toHaveLength(plan.partitions.length);
    expect(late.finalized).toContain('dies-lost');
    expect(sent).toEqual([{ kind: 'finalize', jobId: 'dies-lost' }]);
    expect(again.settled.filter((s) => s.startsWith('dies-lost/'))).toEqual([]);
    const parts = await deps.store.partitions('dies-lost');
    expect(parts.every((p) => p.status === 'DEAD' && /no outcome by its deadline after 1 attempt/.test(p.error!))).toBe(true);
  });
});

describe('the dead-letter consumer dies after counting a partition dead', () => {
  it('sends the job to finalize when the message comes again, once, and not while the job still runs', async () => {
    // Prepare: a planned job of several partitions, all started; the first is counted dead by a dead-letter
    // receive that died before sending the job to finalize (the store did it, the send never happened)
    const deps = awsTestDeps(aws, { send: async () => undefined });
    await createJobsHandler(deps)(sqsEvent({ kind: 'job', job: { ...job('crash'), id: 'dies-dlq', output: `s3://${aws.bucket}/out/dies-dlq` } }), fakeContext());
    const planned = (await deps.store.getJob('dies-dlq'))!;
    const { plan } = await (await import('../../../functions/core/engine/index.ts')).loadPrepared(planned.preparedRef!);
    const [first, ...others] = plan.partitions.map((p) => p.id);
    for (const id of plan.partitions.map((p) => p.id)) await deps.store.startPartition('dies-dlq', id, Math.floor(Date.now() / 1000) + 600);
    await deps.store.partitionFailed('dies-dlq', first, { error: 'no outcome recorded', lastAttempt: true });
    const sent: any[] = [];
    const deadLetters = createDeadLetterHandler(awsTestDeps(aws, { send: async (_url, m) => void sent.push(...m) }));
    const again = sqsEvent({ kind: 'partition', jobId: 'dies-dlq', op: OP, partition: { id: first } });

    // Act: the dead message comes again while other partitions run, then once they have all succeeded
    await deadLetters(again, fakeContext());
    const whileRunning = [...sent];
    for (const id of others) await deps.store.partitionSucceeded('dies-dlq', id, 1);
    await deadLetters(again, fakeContext());

    // Assess
    expect(whileRunning).toEqual([]);
    expect(sent).toEqual([{ kind: 'finalize', jobId: 'dies-dlq' }]);
    expect(await deps.store.getPartition('dies-dlq', first)).toMatchObject({ status: 'DEAD', error: 'no outcome recorded' });
  });
});

describe('eofn redrive (AWS) of a stuck partition', () => {
  it('sends again a partition RUNNING past its deadline, and leaves one within it alone', async () => {
    // Prepare: a planned job; one partition's attempt is past its deadline, another's is not
    const sent: [string, any[]][] = [];
    const deps = awsTestDeps(aws, { send: async (url, m) => void sent.push([url, m]) });
    await createJobsHandler(deps)(sqsEvent({ kind: 'job', job: { ...job('crash'), id: 'dies-stuck', output: `s3://${aws.bucket}/out/dies-stuck` } }), fakeContext());
    const [stuck, alive] = sent[0][1].map((m) => m.partition.id);
    const now = Math.floor(Date.now() / 1000);
    await deps.store.startPartition('dies-stuck', stuck, now - 1);
    await deps.store.startPartition('dies-stuck', alive, now + 600);
    sent.length = 0;

    // Act
    const n = await createAwsBackend(aws.config, deps.store, deps.send).redrive('dies-stuck');

    // Assess
    expect(n).toEqual({ partitions: 1, tiles: 0, merge: false, submission: false });
    expect(sent).toEqual([[aws.config.opQueues[OP], [{ kind: 'partition', jobId: 'dies-stuck', op: OP, partition: { id: stuck } }]]]);
    expect((await deps.store.getPartition('dies-stuck', stuck))?.sweepAt).toBeUndefined(); // the new attempt sets its own
  });
});

function sqsEvent(body: unknown): SQSEvent {
  return {
    Records: [{
      messageId: `m-${Math.random().toString(16).slice(2)}`, receiptHandle: 'r', body: JSON.stringify(body),
      attributes: { ApproximateReceiveCount: '1', SentTimestamp: '0', SenderId: 'test', ApproximateFirstReceiveTimestamp: '0' },
      messageAttributes: {}, md5OfBody: '', eventSource: 'aws:sqs', eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:test', awsRegion: 'us-east-1',
    }],
  };
}
