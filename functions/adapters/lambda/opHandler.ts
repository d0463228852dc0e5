/**
 * One op queue's consumer (the same factory serves every op: it dispatches by the job's op through the
 * registry). Each record runs one partition under Powertools idempotency keyed by job and partition, so a
 * duplicate delivery returns the stored result without running again; the partition's status transition
 * in DynamoDB then gates the atomic completion count, and the delivery that completes the job sends it to
 * the `finalize` queue. A failure is retried by SQS; the attempt that reaches `maxReceiveCount` records the
 * partition as DEAD with its error before the message moves to the DLQ. A permanent failure (bad input,
 * `isPermanent`) records it DEAD at once and acknowledges the message: another attempt would fail the same
 * way. An attempt that is about to hit the function's timeout notes so on the partition first (a timed-out
 * function runs no `catch`), so the DLQ consumer can tell a timeout from a function that died (out of
 * memory) without a word.
 *
 * @example
 * export const handler = withObservability(createOpHandler(depsFromEnv('tile-reduce')), deps);
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { IdempotencyAlreadyInProgressError, IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import {
  NotInPlanError, partitionToRun, preparedCache, runPartition as runEnginePartition, tilePlanCache, type FinalizeMessage,
} from '../../core/engine/index.ts';
import { isPermanent } from '../../core/errors.ts';
import { jobIdOf, partitionFromMessage } from './parseMessage.ts';
import { attemptDeadline, timeoutWarning } from './attemptTiming.ts';
import { allSettled, type Counts } from '../../core/lifecycle/index.ts';
import type { LambdaDeps } from './lambdaDeps.ts';

export interface OpHandlerOptions {
  /** Replaces the engine step (tests inject failures with it). */
  runPartition?: typeof runEnginePartition;
  /** How long an idempotency record is kept (seconds). */
  idempotencyTtlSeconds?: number;
}

export { NotInPlanError };

export function createOpHandler(deps: LambdaDeps, options: OpHandlerOptions = {}) {
  const { config, store, send, logger, metrics } = deps;
  const run = options.runPartition ?? runEnginePartition;
  const processor = new BatchProcessor(EventType.SQS);
  const loadPreparedCached = preparedCache();
  const loadTilePlanCached = tilePlanCache();
  const idempotency = new IdempotencyConfig({
    eventKeyJmesPath: 'powertools_json(body).[jobId, partition.id]',
    expiresAfterSeconds: options.idempotencyTtlSeconds ?? 24 * 3600,
  });

  let context: Context | undefined;

  async function runOnce(record: SQSRecord): Promise<{ seconds: number; skipped?: boolean }> {
    const msg = partitionFromMessage(record.body);
    // What runs comes from the job's record (prepared job and its digest), never from the message.
    const planned = await store.plannedJob(msg.jobId);
    // A late duplicate of a finished job: its scratch (the prepared job included) is gone, nothing to do.
    if (planned?.status === 'SUCCEEDED') return { seconds: 0, skipped: true };
    if (!planned) throw new NotInPlanError(msg.jobId, msg.partition.id, `job ${msg.jobId} was never planned here`);
    const stored = await loadPreparedCached(planned.preparedRef, planned.preparedDigest);
    // A multi-tile job's partition: its own tile's plan only, as the job's record has it.
    const { prepared, partition } = await partitionToRun(stored, msg.jobId, msg.partition.id, (key) => store.plannedTile(msg.jobId, key), loadTilePlanCached);
    const timeoutSeconds = config.opTimeoutSeconds[stored.prepared.job.op] ?? 900;
    const receive = Number(record.attributes?.ApproximateReceiveCount ?? 1);
    const attempt = await store.startPartition(msg.jobId, partition.id, attemptDeadline(timeoutSeconds, receive, config.maxReceiveCount));
    if (attempt === undefined) {
      // Reached only without an idempotency record (expired, or the earlier attempt died after counting):
      // if that attempt died before sending the job to finalize, this sends it (finalize claims the job once).
      logger.info('partition already succeeded', { jobId: msg.jobId, partition: partition.id });
      const job = await store.getJob(msg.jobId);
      if (job?.status === 'RUNNING') await finalizeWhenComplete(msg.jobId, job);
      return { seconds: 0, skipped: true };
    }
    const warning = timeoutWarning(context, (ms) =>
      store.noteAttemptEnding(msg.jobId, partition.id, attempt, `timed out: attempt ${attempt} ran into the function's ${timeoutSeconds} s timeout (${(ms / 1000).toFixed(1)} s in)`));
    let seconds: number;
    try {
      ({ seconds } = await run(prepared, partition));
    } finally {
      warning.cancel();
    }
    const { counts } = await store.partitionSucceeded(msg.jobId, partition.id, Math.round(seconds * 1000) / 1000);
    await finalizeWhenComplete(msg.jobId, counts);
    metrics.addMetric('PartitionSeconds', MetricUnit.Seconds, seconds);
    return { seconds };
  }

  const runIdempotent = deps.idempotencyStore
    ? makeIdempotent(runOnce, { persistenceStore: deps.idempotencyStore, config: idempotency })
    : runOnce;

  async function processRecord(record: SQSRecord): Promise<void> {
    try {
      const outcome = await runIdempotent(record);
      metrics.addMetric(outcome.skipped ? 'PartitionsDuplicate' : 'PartitionsSucceeded', MetricUnit.Count, 1);
    } catch (e) {
      const settled = await recordFailure(record, e as Error);
      if (!settled) throw e;
    }
  }

  /**
   * Records a failed attempt; true when the partition is settled DEAD now (bad input: another attempt
   * would fail the same way), so the message is acknowledged instead of received again.
   */
  async function recordFailure(record: SQSRecord, error: Error): Promise<boolean> {
    const last = Number(record.attributes?.ApproximateReceiveCount ?? 1) >= config.maxReceiveCount;
    const message = `${error.name}: ${error.message}`;
    logger.error('partition failed', { messageId: record.messageId, lastAttempt: last, permanent: isPermanent(error), error: message });
    metrics.addMetric('PartitionsFailed', MetricUnit.Count, 1);
    let msg;
    try {
      msg = partitionFromMessage(record.body);
    } catch {
      if (last) await store.recordDeadMessage(jobIdOf(record.body), record.messageId, message, record.body);
      return false;
    }
    // A concurrent duplicate of a running attempt: SQS delivers it again later, when the result is stored.
    if (error instanceof IdempotencyAlreadyInProgressError) return false;
    // No partition of the plan to mark: the message itself is the record, kept in the DLQ for the operator.
    if (error instanceof NotInPlanError) {
      if (last) await store.recordDeadMessage(msg.jobId, record.messageId, message, record.body);
      return false;
    }
    const permanent = isPermanent(error);
    const { counts } = await store.partitionFailed(msg.jobId, msg.partition.id, { error: message, permanent, lastAttempt: last });
    await finalizeWhenComplete(msg.jobId, counts);
    return permanent;
  }

  async function finalizeWhenComplete(jobId: string, counts: Counts | undefined): Promise<void> {
    if (!counts || !allSettled(counts)) return;
    const message: FinalizeMessage = { kind: 'finalize', jobId };
    await send(config.finalizeQueueUrl, [message]);
    logger.info('job complete: sent to finalize', { jobId, ...counts });
  }

  return (event: SQSEvent, invocation: Context) => {
    context = invocation;
    idempotency.registerLambdaContext(invocation);
    // One partition at a time: the plan sized each partition to the whole function's memory.
    return processPartialResponse(event, processRecord, processor, { context: invocation, throwOnFullBatchFailure: false, processInParallel: false });
  };
}
