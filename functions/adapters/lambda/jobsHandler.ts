/**
 * The `jobs` queue consumer: accepts each job (`acceptJob`: validate, prepare, plan, store, record) and
 * sends its partitions to its op's queue. An invalid job is recorded as INVALID with its problems and the
 * message is consumed (a retry cannot fix it). A job whose id is known is not planned again, unless its
 * fan-out was interrupted (still PLANNED), which resumes it after the last chunk it recorded as sent.
 *
 * @example
 * export const handler = withObservability(createJobsHandler(depsFromEnv('jobs')), deps);
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { acceptJob } from '../../core/lifecycle/index.ts';
import { opMemoryMb } from '../../core/ops/descriptors.ts';
import { jobFromMessage } from './parseMessage.ts';
import { fanOutPartitions } from './fanOutPartitions.ts';
import type { LambdaDeps } from './lambdaDeps.ts';

export function createJobsHandler(deps: LambdaDeps) {
  const { config, store, send, logger, metrics } = deps;
  const processor = new BatchProcessor(EventType.SQS);

  async function acceptRecord(record: SQSRecord): Promise<void> {
    const accepted = await acceptJob({ read: () => jobFromMessage(record.body), received: record.body }, {
      store,
      // The stack bundles every op's memory; a deployment without it (tests, LocalStack) plans for the op's default.
      memoryMbOf: (op) => config.opMemoryMb[op] ?? opMemoryMb(op),
      minPartitions: config.minPartitions,
      limits: config.jobLimits,
      refuse: ({ op }) => config.opQueues[op] ? undefined : `op: "${op}" is not deployed here (deployed: ${Object.keys(config.opQueues).join(', ')})`,
      recordOptions: ({ op }) => ({ queue: config.opQueues[op] }),
    });
    switch (accepted.outcome) {
      case 'invalid':
        logger.warn('invalid job', { jobId: accepted.jobId, problems: accepted.problems });
        metrics.addMetric('JobsInvalid', MetricUnit.Count, 1);
        return;
      case 'conflict':
        logger.warn('a different job with a known id was rejected', { jobId: accepted.jobId });
        await store.appendJobError(accepted.jobId, `a different job with this id was submitted (message ${record.messageId}) and rejected`);
        return;
      case 'known':
        logger.info('job already known; not planned again', { jobId: accepted.jobId });
        metrics.addMetric('DuplicateJobs', MetricUnit.Count, 1);
        return;
    }
    const { plan } = accepted;
    const sent = await fanOutPartitions({
      send, queueUrl: config.opQueues[plan.op], jobId: plan.jobId, op: plan.op, partitions: plan.partitions,
      // A job left PLANNED by an interrupted fan-out resumes after what it recorded as sent.
      from: (await store.getJob(plan.jobId))?.fannedOut,
      onProgress: (n) => store.noteFanOut(plan.jobId, n),
    });
    await store.startJob(plan.jobId);
    logger.info('job planned', { jobId: plan.jobId, op: plan.op, partitions: plan.partitions.length, sent, memoryMb: plan.memoryMb });
    metrics.addMetric('JobsPlanned', MetricUnit.Count, 1);
    metrics.addMetric('PartitionsSent', MetricUnit.Count, sent);
  }

  return (event: SQSEvent, context: Context) =>
    processPartialResponse(event, acceptRecord, processor, { context, throwOnFullBatchFailure: false });
}
