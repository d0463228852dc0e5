/**
 * The `finalize` queue consumer: claims the job (a conditional update, so only one finalize runs), merges
 * the parts into the product (`result.*`, `preview.png`, `item.json`), writes `job.json`, marks the job
 * SUCCEEDED, or FAILED with its failed partitions and their errors (or with the merge's error at once when
 * it is permanent, `isPermanent`; a transient one is left to SQS's retries), removes the scratch of a SUCCEEDED job
 * (`_parts/`, `_eofn/`), and publishes the completion event once (`publishCompletion`).
 *
 * @example
 * export const handler = withObservability(createFinalizeHandler(depsFromEnv('finalize')), deps);
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { describeError, isPermanent } from '../../core/errors.ts';
import { mb } from '../../core/plan/memoryModel.ts';
import { finalizeJob as engineFinalize, jobForMerge, loadPrepared, removeScratch, writeJobRecord, type JobRecord } from '../../core/engine/index.ts';
import { publishCompletion } from './publishCompletion.ts';
import { finalizeFromMessage } from './parseMessage.ts';
import type { JobItem, PartitionItem } from './jobStore.ts';
import type { LambdaDeps } from './lambdaDeps.ts';

export interface FinalizeHandlerOptions {
  finalizeJob?: typeof engineFinalize;
}

export function createFinalizeHandler(deps: LambdaDeps, options: FinalizeHandlerOptions = {}) {
  const { store, publish, logger, metrics } = deps;
  const merge = options.finalizeJob ?? engineFinalize;
  const processor = new BatchProcessor(EventType.SQS);

  async function finalizeRecord(record: SQSRecord): Promise<void> {
    const msg = finalizeFromMessage(record.body);
    // Only the delivery that completes a job sends finalize: one for a job still counting is forged or stale.
    const known = await store.getJob(msg.jobId);
    if (known?.status === 'RUNNING' && (known.done + known.failed < known.total || (known.tilesPlanned ?? 0) < (known.tiles ?? 0))) {
      logger.warn('finalize for a job whose partitions are not all settled: ignored', { jobId: msg.jobId, done: known.done, failed: known.failed, total: known.total });
      return;
    }
    const claim = await store.startFinalize(msg.jobId);
    if (!claim.claimed && claim.reason === 'busy') throw new Error(`job ${msg.jobId} is being finalized by another invocation`);
    if (!claim.claimed && claim.reason === 'done') {
      logger.info('job already finalized', { jobId: msg.jobId });
      return;
    }
    const lastAttempt = Number(record.attributes?.ApproximateReceiveCount ?? 1) >= deps.config.maxReceiveCount;
    if (claim.claimed) await finalize((await store.getJob(msg.jobId))!, claim.claim, lastAttempt);
    const job = (await store.getJob(msg.jobId))!;
    // After the job is recorded SUCCEEDED: a late duplicate partition then finds the job done, not its scratch.
    if (job.status === 'SUCCEEDED' && job.output) await removeScratch(job.output);
    if (await publishCompletion({ store, publish }, job.id)) {
      metrics.addMetric(job.status === 'SUCCEEDED' ? 'JobsSucceeded' : 'JobsFailed', MetricUnit.Count, 1);
    }
  }

  async function finalize(job: JobItem, claim: number, lastAttempt: boolean): Promise<void> {
    const started = performance.now();
    if (!job.preparedRef || !job.preparedDigest) throw new Error(`job ${job.id} has no prepared job recorded`);
    // A multi-tile job's partitions come from its tiles' recorded plans, one after the other.
    const { prepared, plan } = await jobForMerge(await loadPrepared(job.preparedRef, job.preparedDigest), (key) => store.plannedTile(job.id, key));
    const parts = new Map((await store.partitions(job.id)).map((p) => [p.id, p]));
    const failed = plan.partitions.filter((p) => parts.get(p.id)?.status !== 'SUCCEEDED');
    const errors = failed.map((p) => `partition ${p.id}: ${parts.get(p.id)?.error ?? 'did not complete'}`);
    const mergeError = failed.length ? undefined : await mergeOrSettledError(job.id, claim, lastAttempt, prepared, plan);
    if (mergeError) errors.push(mergeError);
    const status = errors.length ? 'FAILED' : 'SUCCEEDED';
    const record: JobRecord = {
      id: job.id, op: job.op, status, memoryMb: plan.memoryMb,
      partitions: plan.partitions.map((p) => partitionRecord(p.id, mb(p.estimatedPeakBytes), parts.get(p.id))),
      timings: { merge: Math.round(performance.now() - started) / 1000 },
      errors: [...errors, ...job.errors.filter((e) => !e.startsWith('partition '))], updated: new Date().toISOString(),
    };
    await writeJobRecord(prepared.outputHref, record);
    if (mergeError) {
      const settled = await store.finalizeFailed(job.id, claim, { error: mergeError, permanent: true, lastAttempt: true });
      logger.error('finalize failed for good', { jobId: job.id, error: mergeError, settled });
      return;
    }
    await store.finishJob(job.id, claim, status, record.errors);
    logger.info('job finalized', { jobId: job.id, status, failed: failed.length });
  }

  /**
   * Merges, and says why when the job is to fail now: parts of two plans, a truncated part, an output the
   * store refuses fail the same way on every receive, so the job is FAILED at once rather than after
   * `maxReceiveCount` receives; so is a transient failure on the last receive. Any other failure (I/O,
   * throttling) gives the claim back and is thrown: SQS delivers the message again and that receive merges.
   */
  async function mergeOrSettledError(
    jobId: string, claim: number, lastAttempt: boolean, prepared: Parameters<typeof merge>[0], plan: Parameters<typeof merge>[1],
  ): Promise<string | undefined> {
    try {
      await merge(prepared, plan);
      return undefined;
    } catch (e) {
      const error = `finalize: ${describeError(e)}`;
      if (isPermanent(e) || lastAttempt) return error;
      await store.finalizeFailed(jobId, claim, { error });
      throw e;
    }
  }

  return (event: SQSEvent, context: Context) =>
    processPartialResponse(event, finalizeRecord, processor, { context, throwOnFullBatchFailure: false, processInParallel: false });
}

function partitionRecord(id: string, estimatedPeakMb: number, item: PartitionItem | undefined): JobRecord['partitions'][number] {
  const status = item?.status === 'SUCCEEDED' ? 'SUCCEEDED' : item ? 'FAILED' : 'PENDING';
  return { id, status, attempts: item?.attempts ?? 0, estimatedPeakMb, ...(item?.seconds !== undefined ? { seconds: item.seconds } : {}), ...(item?.error && status !== 'SUCCEEDED' ? { error: item.error } : {}) };
}
