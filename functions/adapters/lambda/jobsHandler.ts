/**
 * The `jobs` queue consumer: accepts each job (`acceptJob`: validate, prepare, plan, store, record) and
 * sends its partitions to its op's queue. An invalid job is recorded as INVALID with its problems and the
 * message is consumed (a retry cannot fix it). A job whose id is known is not planned again, unless its
 * fan-out was interrupted (still PLANNED), which resumes it after the last chunk it recorded as sent.
 * A multi-tile job is recorded and sent a tile at a time (only one tile's partitions in memory); one of
 * more tiles than `planFanOutTiles` is planned by `plan-tile` messages on this same queue, one per tile,
 * each prepared, planned, recorded and sent by an invocation of its own.
 *
 * @example
 * export const handler = withObservability(createJobsHandler(depsFromEnv('jobs')), deps);
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { acceptJob, allSettled, planTileOf, sendTile } from '../../core/lifecycle/index.ts';
import type { PlanTileMessage } from '../../core/engine/index.ts';
import { opMemoryMb } from '../../core/ops/descriptors.ts';
import { jobFromMessage, planTileFromMessage } from './parseMessage.ts';
import { fanOutPartitions } from './fanOutPartitions.ts';
import type { LambdaDeps } from './lambdaDeps.ts';

export function createJobsHandler(deps: LambdaDeps) {
  const { config, store, send, logger, metrics } = deps;
  const processor = new BatchProcessor(EventType.SQS);

  async function acceptRecord(record: SQSRecord): Promise<void> {
    const planTile = planTileFromMessage(record.body);
    if (planTile) return planTileRecord(planTile);
    const accepted = await acceptJob({ read: () => jobFromMessage(record.body), received: record.body }, {
      store,
      // The stack bundles every op's memory; a deployment without it (tests, LocalStack) plans for the op's default.
      memoryMbOf: (op) => config.opMemoryMb[op] ?? opMemoryMb(op),
      minPartitions: config.minPartitions,
      limits: config.jobLimits,
      refuse: ({ op }) => config.opQueues[op] ? undefined : `op: "${op}" is not deployed here (deployed: ${Object.keys(config.opQueues).join(', ')})`,
      recordOptions: ({ op }) => ({ queue: config.opQueues[op] }),
      planFanOutTiles: config.planFanOutTiles,
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
    const { plan, work } = accepted;
    const queueUrl = config.opQueues[plan.op];
    let sent = 0;
    if (work.kind === 'partitions') {
      sent = await fanOutPartitions({
        send, queueUrl, jobId: plan.jobId, op: plan.op, partitions: work.partitions,
        // A job left PLANNED by an interrupted fan-out resumes after what it recorded as sent.
        from: (await store.getJob(plan.jobId))?.fannedOut,
        onProgress: (n) => store.noteFanOut(plan.jobId, n),
      });
    } else if (work.kind === 'tiles') {
      // A tile at a time; a resumed job sends again only the tiles not noted as sent.
      for (const tile of work.tiles) {
        const outcome = await sendTile(store, plan.jobId, tile, async (partitions) => { sent += await fanOutPartitions({ send, queueUrl, jobId: plan.jobId, op: plan.op, partitions }); });
        if (outcome.sent) logger.info('tile sent before; not sent again', { jobId: plan.jobId, tile: tile.key });
      }
    } else {
      const messages: PlanTileMessage[] = work.tiles.map((tile) => ({ kind: 'plan-tile', jobId: plan.jobId, tile }));
      await send(config.jobsQueueUrl, messages);
    }
    await store.startJob(plan.jobId);
    // A job whose tiles all came out empty is complete as soon as it runs.
    await finalizeIfSettled(plan.jobId);
    logger.info(work.kind === 'plan-tiles' ? 'job planning fanned out' : 'job planned', {
      jobId: plan.jobId, op: plan.op, sent, memoryMb: plan.memoryMb, ...(work.kind === 'partitions' ? { partitions: work.partitions.length } : { tiles: work.tiles.length }),
    });
    metrics.addMetric('JobsPlanned', MetricUnit.Count, 1);
    metrics.addMetric('PartitionsSent', MetricUnit.Count, sent);
  }

  /** One tile of a job whose planning is fanned out: prepared, planned, recorded and sent here. */
  async function planTileRecord(msg: PlanTileMessage): Promise<void> {
    const job = await store.getJob(msg.jobId);
    const queueUrl = job?.queueUrl ?? config.opQueues[job?.op ?? ''];
    const result = await planTileOf(msg, {
      store, minPartitions: config.minPartitions, limits: config.jobLimits,
      send: async (partitions) => { await fanOutPartitions({ send, queueUrl, jobId: msg.jobId, op: job!.op, partitions }); },
    });
    logger.info('plan-tile', { ...result });
    // A failed tile failed the job: finalize publishes its completion event (it merges nothing).
    if (result.outcome === 'failed' || (result.outcome === 'planned' && result.finalize)) await send(config.finalizeQueueUrl, [{ kind: 'finalize', jobId: msg.jobId }]);
    if (result.outcome === 'planned') metrics.addMetric('PartitionsSent', MetricUnit.Count, result.partitions);
  }

  async function finalizeIfSettled(jobId: string): Promise<void> {
    const p = await store.progress(jobId);
    if (p?.status === 'RUNNING' && allSettled(p)) await send(config.finalizeQueueUrl, [{ kind: 'finalize', jobId }]);
  }

  return (event: SQSEvent, context: Context) =>
    processPartialResponse(event, acceptRecord, processor, { context, throwOnFullBatchFailure: false });
}
