/**
 * The fan-out proof on the AWS emulators (fauxqs S3/SQS/SNS, dynalite): the real jobs, op and finalize
 * handlers, `lanes` op consumers polling at once as Lambda's event source would, every partition message
 * delivered twice, the failures of a `failureInjector`; a job that ends FAILED (its broken partitions
 * dead-lettered) is fixed and redriven with `eofn redrive` as docs/aws.md says.
 *
 * @example
 * const report = await runAwsFanout(inputs, { lanes: 8, rate: 0.01, broken: 3 });
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { S3Storage } from '../../../functions/adapters/shared/s3Storage.ts';
import { useCloudStorages } from '../../../functions/adapters/lambda/cloudStorages.ts';
import { createJobsHandler } from '../../../functions/adapters/lambda/jobsHandler.ts';
import { createOpHandler } from '../../../functions/adapters/lambda/opHandler.ts';
import { createFinalizeHandler } from '../../../functions/adapters/lambda/finalizeHandler.ts';
import { createAwsBackend } from '../../../functions/adapters/lambda/cliBackend.ts';
import { createQueueSender } from '../../../functions/adapters/lambda/queueSender.ts';
import { finalizeJob } from '../../../functions/core/engine/index.ts';
import { forgetIndexedParcelFiles } from '../../../functions/core/ops/parcel-aggregate/indexParcelFile.ts';
import { startAwsEmulators } from '../awsEmulators.ts';
import { awsTestDeps } from '../awsDeps.ts';
import { pollOnce, queueDepth, type SqsHandler } from '../awsEventSource.ts';
import { watchStorageWrites } from '../watchStorageWrites.ts';
import { failureInjector } from './failureInjector.ts';
import type { FanoutInputs } from './fanoutInputs.ts';
import type { FanoutReport } from './fanoutReport.ts';
import { readProducts } from './readProducts.ts';

export interface FanoutOptions {
  /** Op consumers polling at once. */
  lanes?: number;
  rate?: number;
  broken?: number;
  /** Give up after this long (ms). */
  deadlineMs?: number;
  /** SQS visibility timeout (s): when a failed attempt is retried; longer than a loaded machine takes for a batch. */
  visibilityTimeout?: number;
  /** Measure planning and fan-out alone: no op consumer runs; the run ends when every message is out. */
  fanOutOnly?: boolean;
  /** Progress lines (every few seconds). */
  log?(line: string): void;
  /** A job of more tiles than this is planned by plan-tile messages (each delivered twice); default the deployment's 4. */
  planFanOutTiles?: number;
  /** Samples the process's heap while the job is planned and sent (`--fan-out-only`). */
  sampleHeap?: boolean;
  /**
   * Each jobs message (call) handled as if by a process of its own, as on concurrent Lambdas or replicas:
   * nothing an earlier one converted (a parcel file) is remembered. Otherwise one process handles them all.
   */
  freshJobsProcess?: boolean;
  /** Hears the href of every object the functions write (before the write). */
  watchWrites?(href: string): void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runAwsFanout(inputs: FanoutInputs, opts: FanoutOptions = {}): Promise<FanoutReport> {
  const op = inputs.op;
  const aws = await startAwsEmulators({ ops: [op], maxReceiveCount: 3, visibilityTimeout: opts.visibilityTimeout ?? 3 });
  try {
    aws.config.minPartitions = inputs.partitions;
    aws.config.jobLimits = { ...aws.config.jobLimits, maxPartitions: Math.max(inputs.partitions, 10_000) };
    if (opts.planFanOutTiles !== undefined) aws.config.planFanOutTiles = opts.planFanOutTiles;
    for (const file of inputs.files) {
      await aws.s3.send(new PutObjectCommand({ Bucket: aws.bucket, Key: `fan/${file}`, Body: await readFile(join(inputs.dir, file)) }));
    }
    const jobHref = `s3://${aws.bucket}/fan/job.json`;
    const job = inputs.job(`s3://${aws.bucket}/fan`, `s3://${aws.bucket}/fan/out`, 'fanout-aws');
    await aws.s3.send(new PutObjectCommand({ Bucket: aws.bucket, Key: 'fan/job.json', Body: JSON.stringify(job) }));
    useCloudStorages(new S3Storage(aws.s3));
    if (opts.watchWrites) watchStorageWrites(`s3://${aws.bucket}/`, opts.watchWrites);

    const base = createQueueSender(aws.sqs);
    const opQueue = aws.config.opQueues[op];
    let messagesSent = 0;
    let planTiles = 0;
    const duplicating = async (url: string, messages: unknown[]) => {
      // Planning fanned out: every plan-tile message is delivered twice too.
      if (url === aws.config.jobsQueueUrl && messages.every((m) => (m as { kind?: string }).kind === 'plan-tile')) {
        planTiles += 2 * messages.length;
        return base(url, [...messages, ...messages]);
      }
      if (url !== opQueue) return base(url, messages);
      messagesSent += 2 * messages.length;
      return base(url, [...messages, ...messages]);
    };
    const faults = failureInjector({ rate: opts.rate ?? 0.01, broken: opts.broken ?? 3 });
    let merges = 0;
    const counting: typeof finalizeJob = (prepared, plan) => { merges++; return finalizeJob(prepared, plan); };
    const deps = awsTestDeps(aws, { send: duplicating });
    const backend = createAwsBackend(aws.config, deps.store, base);
    const consumers: [string, SqsHandler][] = [
      [aws.config.jobsQueueUrl, opts.freshJobsProcess ? invocationPerRecord(createJobsHandler(deps)) : createJobsHandler(deps)],
      [aws.config.finalizeQueueUrl, createFinalizeHandler(deps, { finalizeJob: counting })],
      ...Array.from({ length: opts.fanOutOnly ? 0 : opts.lanes ?? 8 }, (): [string, SqsHandler] => [opQueue, createOpHandler(deps, { runPartition: faults.run })]),
    ];
    const deadline = Date.now() + (opts.deadlineMs ?? 30 * 60_000);
    let deliveries = 0;

    /** Runs every consumer until the job is final and no queue holds anything; returns its status. */
    async function runUntilSettled(jobId: string, onRunning?: () => void): Promise<string> {
      let stop = false;
      const lanes = consumers.map(async ([url, handler]) => {
        while (!stop) {
          const n = await pollOnce(aws.sqs, url, handler);
          deliveries += n;
          if (!n) await sleep(50);
        }
      });
      let status = '';
      let lastLog = 0;
      try {
        for (;;) {
          if (Date.now() > deadline) throw new Error(`fan-out did not settle in time (job ${jobId}: ${JSON.stringify(await deps.store.progress(jobId))})`);
          const p = await deps.store.progress(jobId);
          // Out when the jobs stage is done and, planning fanned out, every tile is planned and no plan-tile waits.
          const planned = p && (p.tilesPlanned ?? 0) >= (p.tiles ?? 0) && (!p.tiles || !(await queueDepth(aws.sqs, aws.config.jobsQueueUrl)));
          if (p && p.status !== 'PLANNED' && planned) {
            onRunning?.();
            if (opts.fanOutOnly) { status = 'FANNED_OUT'; break; }
          }
          if (opts.log && Date.now() - lastLog > 5000) {
            lastLog = Date.now();
            opts.log(`aws ${jobId}: ${p?.status} done ${p?.done}/${p?.total} failed ${p?.failed}; ${deliveries} deliveries`);
          }
          if ((p?.status === 'SUCCEEDED' || p?.status === 'FAILED')) {
            let depth = 0;
            for (const url of [aws.config.jobsQueueUrl, opQueue, aws.config.finalizeQueueUrl]) depth += await queueDepth(aws.sqs, url);
            if (!depth) { status = p.status; break; }
          }
          await sleep(200);
        }
      } finally {
        stop = true;
        await Promise.all(lanes);
      }
      return status;
    }

    const heap = opts.sampleHeap ? heapSampler() : undefined;
    const started = performance.now();
    let fanOutSeconds = 0;
    const jobId = await backend.submit(jobHref);
    let status = await runUntilSettled(jobId, () => { fanOutSeconds ||= (performance.now() - started) / 1000; });
    const peakHeapMb = heap?.stop();
    if (status === 'FAILED') {
      faults.fix();
      messagesSent += (await backend.redrive(jobId)).partitions;
      status = await runUntilSettled(jobId);
    }
    const wallSeconds = (performance.now() - started) / 1000;

    const progress = (await deps.store.progress(jobId))!;
    const finishes: string[] = [];
    for (;;) {
      const out = await aws.sqs.send(new ReceiveMessageCommand({ QueueUrl: aws.completionsQueueUrl, MaxNumberOfMessages: 10 }));
      if (!out.Messages?.length) break;
      finishes.push(...out.Messages.map((m) => JSON.parse(m.Body!).status as string));
    }
    const runs = [...faults.completed.values()];
    const products = status === 'SUCCEEDED' ? await readProducts(new S3Storage(aws.s3), `s3://${aws.bucket}/fan/out`, inputs.products) : {};
    return {
      path: 'aws', partitions: progress.total, wallSeconds, fanOutSeconds, messagesSent, deliveries, planTiles, ...(peakHeapMb !== undefined ? { peakHeapMb } : {}),
      completedOnce: runs.filter((n) => n === 1).length, maxCompletedRuns: Math.max(0, ...runs), merges,
      injected: faults.injected, flaky: faults.flaky.size, broken: faults.broken.size, finishes,
      done: progress.done, failed: progress.failed, status, products,
    };
  } finally {
    await aws.stop();
  }
}

/** The handler called once per record, each time as a fresh process (`freshJobsProcess`); the batch's failures are theirs. */
function invocationPerRecord(handler: SqsHandler): SqsHandler {
  return async (event, context) => {
    const batchItemFailures = [];
    for (const record of event.Records) {
      forgetIndexedParcelFiles();
      batchItemFailures.push(...((await handler({ Records: [record] }, context))?.batchItemFailures ?? []));
    }
    return { batchItemFailures };
  };
}

/** The process's peak heap (MB) from samples every 20 ms until `stop`. */
export function heapSampler(): { stop(): number } {
  let peak = process.memoryUsage().heapUsed;
  const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage().heapUsed); }, 20);
  return { stop: () => { clearInterval(timer); return Math.round(Math.max(peak, process.memoryUsage().heapUsed) / 2 ** 20); } };
}
