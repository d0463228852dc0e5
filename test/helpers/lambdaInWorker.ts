/**
 * One Lambda invocation in its own worker thread, ended like Lambda ends it: terminated at its timeout (or
 * earlier, as an out-of-memory kill), with its timers and pending writes gone with it. The handler is the
 * real one, built like `depsFromEnv` builds it, talking to the emulators over HTTP; `fault: 'hang'` makes
 * its work (a partition, the merge, the job record) never finish, so only the kill ends the invocation.
 * Workers are started ahead (their module init is not part of the function's timeout, as on Lambda).
 *
 * @example
 * const lambdas = workerLambdas({ config, endpoints });
 * const response = await lambdas.invoke({ handler: 'op', event, timeoutMs: 800, fault: 'hang' }); // undefined: killed
 * await lambdas.close();
 */
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { DeploymentConfig } from '../../functions/adapters/lambda/config.ts';

export interface WorkerSetup {
  config: DeploymentConfig;
  endpoints: { s3: string; sqs: string; dynamo: string };
}

export interface WorkerInvocation {
  handler: 'op' | 'jobs' | 'finalize';
  event: SQSEvent;
  /** The function's timeout: the worker is terminated then (the handler's context counts down to it). */
  timeoutMs: number;
  /** Terminate earlier than the timeout, without warning (out of memory). */
  killAfterMs?: number;
  /** Terminate as soon as this says so (polled here, e.g. "the partition is claimed"): a crash at that point. */
  killWhen?: () => Promise<boolean>;
  /**
   * Terminate the moment the op handler has claimed its partition (`startPartition` returned), as the
   * worker tells it: an out-of-memory kill mid-work. Told, not polled, because on a loaded emulator a poll
   * can come after the handler's timeout warning, which would record a timeout instead.
   */
  killAtClaim?: boolean;
  fault?: 'hang';
}

export function workerLambdas(setup: WorkerSetup, warm = 3) {
  const ready: Promise<Worker>[] = [];
  const start = () => ready.push(new Promise<Worker>((resolve, reject) => {
    const worker = new Worker(new URL(import.meta.url), { workerData: setup });
    worker.once('message', () => resolve(worker));
    worker.once('error', reject);
  }));
  for (let i = 0; i < warm; i++) start();
  return {
    /** The batch response, or undefined when the invocation was killed. */
    async invoke(spec: WorkerInvocation): Promise<SQSBatchResponse | undefined> {
      start();
      const worker = await ready.shift()!;
      const { killWhen, ...message } = spec;
      return new Promise((resolve, reject) => {
        let settled = false;
        const end = (response: SQSBatchResponse | undefined) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          void worker.terminate().then(() => resolve(response));
        };
        const timer = setTimeout(() => end(undefined), spec.killAfterMs ?? spec.timeoutMs);
        const watch = async () => {
          while (!settled) {
            if (await killWhen!().catch(() => false)) return end(undefined);
            await new Promise((r) => setTimeout(r, 20));
          }
        };
        const onMessage = (m: { response?: SQSBatchResponse; claimed?: boolean }) => {
          if (m.claimed && !spec.killAtClaim) return;
          worker.off('message', onMessage);
          end(m.claimed ? undefined : m.response);
        };
        worker.on('message', onMessage);
        worker.once('error', (e) => { clearTimeout(timer); reject(e); });
        worker.postMessage(message);
        if (killWhen) void watch();
      });
    },
    async close(): Promise<void> {
      for (const w of ready.splice(0)) await (await w).terminate();
    },
  };
}

async function runInWorker(setup: WorkerSetup): Promise<void> {
  const { S3Storage } = await import('../../functions/adapters/shared/s3Storage.ts');
  const { s3Client } = await import('../../functions/adapters/shared/awsClients.ts');
  const { documentClient, dynamoClient, snsClient, sqsClient } = await import('../../functions/adapters/shared/awsServiceClients.ts');
  const { useCloudStorages } = await import('../../functions/adapters/lambda/cloudStorages.ts');
  const { createJobStore } = await import('../../functions/adapters/lambda/jobStore.ts');
  const { createQueueSender } = await import('../../functions/adapters/lambda/queueSender.ts');
  const { snsPublisher } = await import('../../functions/adapters/lambda/lambdaDeps.ts');
  const { createOpHandler } = await import('../../functions/adapters/lambda/opHandler.ts');
  const { createJobsHandler } = await import('../../functions/adapters/lambda/jobsHandler.ts');
  const { createFinalizeHandler } = await import('../../functions/adapters/lambda/finalizeHandler.ts');
  const { Logger } = await import('@aws-lambda-powertools/logger');
  const { Metrics } = await import('@aws-lambda-powertools/metrics');
  const { DynamoDBPersistenceLayer } = await import('@aws-lambda-powertools/idempotency/dynamodb');
  const { fakeContext } = await import('./awsEventSource.ts');

  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  const { config, endpoints } = setup;
  const common = { region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
  const ddb = dynamoClient({ ...common, endpoint: endpoints.dynamo });
  useCloudStorages(new S3Storage(s3Client({ ...common, endpoint: endpoints.s3, forcePathStyle: true })));
  const hang = <T>(): Promise<T> => new Promise<T>(() => undefined);
  const deps = () => ({
    config, store: createJobStore(documentClient(ddb), config.tableName, { retentionDays: config.retentionDays }),
    send: createQueueSender(sqsClient({ ...common, endpoint: endpoints.sqs })),
    publish: snsPublisher(snsClient({ ...common, endpoint: endpoints.sqs }), config.completionTopicArn),
    logger: new Logger({ serviceName: 'worker', logLevel: 'SILENT' }), metrics: new Metrics({ namespace: 'eofn-test' }),
    idempotencyStore: new DynamoDBPersistenceLayer({ tableName: config.idempotencyTableName, awsSdkV3Client: ddb }),
  });
  // `on`, not `once`: the listener keeps the thread alive while the work hangs, as Lambda's runtime keeps its process.
  parentPort!.on('message', async (spec: WorkerInvocation) => {
    const d = deps();
    const faulty = spec.fault === 'hang';
    if (spec.handler === 'jobs' && faulty) d.store.recordPlanned = hang;
    if (spec.killAtClaim) {
      const startPartition = d.store.startPartition.bind(d.store);
      d.store.startPartition = async (...args) => {
        const attempt = await startPartition(...args);
        if (attempt !== undefined) parentPort!.postMessage({ claimed: true });
        return attempt;
      };
    }
    const handler = spec.handler === 'op' ? createOpHandler(d, faulty ? { runPartition: hang } : {})
      : spec.handler === 'finalize' ? createFinalizeHandler(d, faulty ? { finalizeJob: hang } : {})
        : createJobsHandler(d);
    const deadline = Date.now() + spec.timeoutMs;
    const context = { ...fakeContext(`eofn-${spec.handler}`), getRemainingTimeInMillis: () => deadline - Date.now() };
    parentPort!.postMessage({ response: await handler(spec.event, context) });
  });
  // Clients warmed up in the init phase, which on Lambda does not count against the timeout either.
  await deps().store.getJob('warm-up');
  parentPort!.postMessage({ ready: true });
}

if (!isMainThread && (workerData as WorkerSetup | undefined)?.endpoints) await runInWorker(workerData as WorkerSetup);
