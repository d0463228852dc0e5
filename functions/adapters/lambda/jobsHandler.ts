/**
 * The `jobs` queue consumer: validate, record, plan, fan out. An invalid job is recorded as INVALID with
 * its problems and the message is consumed (a retry cannot fix it). A job whose id is known is not planned
 * again, unless its fan-out was interrupted (still PLANNED), which resumes it after the last chunk it recorded as sent.
 *
 * @example
 * export const handler = withObservability(createJobsHandler(depsFromEnv('jobs')), deps);
 */
import { createHash } from 'node:crypto';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { InvalidJobError, isPermanent } from '../../core/errors.ts';
import { planJob, prepareJob, storePrepared, type PreparedJob } from '../../core/engine/index.ts';
import { canonicalJson, contentHash } from '../../core/contract/validateJob.ts';
import { jobFromMessage } from './parseMessage.ts';
import { fanOutPartitions } from './fanOutPartitions.ts';
import type { LambdaDeps } from './lambdaDeps.ts';

export function createJobsHandler(deps: LambdaDeps) {
  const { config, store, send, logger, metrics } = deps;
  const processor = new BatchProcessor(EventType.SQS);

  async function acceptJob(record: SQSRecord): Promise<void> {
    let prepared: PreparedJob;
    let raw: unknown;
    try {
      const source = await jobFromMessage(record.body);
      raw = source.raw;
      prepared = await prepareJob(raw, source.base);
    } catch (e) {
      if (!isPermanent(e)) throw e;
      return rejectJob(raw ?? record.body, e instanceof InvalidJobError ? e.problems : [(e as Error).message]);
    }
    const { job } = prepared;
    const queueUrl = config.opQueues[job.op];
    if (!queueUrl) return rejectJob(raw, [`op: "${job.op}" is not deployed here (deployed: ${Object.keys(config.opQueues).join(', ')})`]);

    let plan;
    try {
      plan = planJob(prepared, { memoryMb: config.opMemoryMb[job.op], minPartitions: config.minPartitions, limits: config.jobLimits });
    } catch (e) {
      if (!isPermanent(e)) throw e;
      return rejectJob(raw, [(e as Error).message]);
    }
    const hash = contentHash(job);
    const { created, existing } = await store.createJob({
      id: job.id, op: job.op, status: 'PLANNED', hash, total: plan.partitions.length, output: prepared.outputHref,
      queueUrl, memoryMb: plan.memoryMb,
    });
    if (!created && existing?.hash !== hash) {
      logger.warn('a different job with a known id was rejected', { jobId: job.id });
      await store.appendJobError(job.id, `a different job with this id was submitted (message ${record.messageId}) and rejected`);
      return;
    }
    if (!created && existing?.status !== 'PLANNED') {
      logger.info('job already known; not planned again', { jobId: job.id, status: existing?.status });
      metrics.addMetric('DuplicateJobs', MetricUnit.Count, 1);
      return;
    }

    const stored = await storePrepared(prepared, plan);
    await store.setPreparedRef(job.id, stored.href, stored.digest);
    const sent = await fanOutPartitions({
      send, queueUrl, jobId: job.id, op: job.op, partitions: plan.partitions, from: created ? 0 : existing?.fannedOut,
      onProgress: (n) => store.noteFanOut(job.id, n),
    });
    await store.markFannedOut(job.id);
    logger.info('job planned', { jobId: job.id, op: job.op, partitions: plan.partitions.length, sent, memoryMb: plan.memoryMb });
    metrics.addMetric('JobsPlanned', MetricUnit.Count, 1);
    metrics.addMetric('PartitionsSent', MetricUnit.Count, sent);
  }

  async function rejectJob(raw: unknown, problems: string[]): Promise<void> {
    const given = (raw as { id?: unknown } | null)?.id;
    const id = typeof given === 'string' && given ? given : `invalid-${createHash('sha256').update(canonicalJson(raw)).digest('hex').slice(0, 16)}`;
    const op = String((raw as { op?: unknown } | null)?.op ?? 'unknown');
    await store.recordInvalid(id, op, problems);
    logger.warn('invalid job', { jobId: id, problems });
    metrics.addMetric('JobsInvalid', MetricUnit.Count, 1);
  }

  return (event: SQSEvent, context: Context) =>
    processPartialResponse(event, acceptJob, processor, { context, throwOnFullBatchFailure: false });
}
