/**
 * The op functions (`tile-reduce`, `composite`, …): claim the partition, run it through the op registry,
 * count it done, and send finalize when it was the last one. A delivery of a partition that is not
 * pending (a duplicate, or one already done) changes nothing.
 *
 * @example
 * await handlePartition(ctx, { kind: 'partition', jobId, op: 'tile-reduce', partition: { id: 'r00000-c00000-512x512' } });
 */
import { runPartition } from '../../../core/engine/partitions.ts';
import { partitionMessageSchema } from '../../../core/engine/messages.ts';
import { NotInPlanError } from '../../../core/engine/plannedPartition.ts';
import { partitionToRun } from '../../../core/engine/tiledWork.ts';
import { describeFailure } from '../../../core/errors.ts';
import { badRequest, loadPreparedCached, loadTilePlanCached, ok, saveJobRecord, type HandlerContext, type HandlerResult } from './handlerContext.ts';

export async function handlePartition(ctx: HandlerContext, body: unknown): Promise<HandlerResult> {
  const parsed = partitionMessageSchema.safeParse(body);
  if (!parsed.success) return badRequest('expected a partition message');
  // Only the names are read from the message: what runs is the job record's plan.
  const msg = parsed.data;
  const { jobId, partition } = msg;
  const attempt = await ctx.store.startPartition(jobId, partition.id);
  if (attempt === undefined) {
    ctx.log('partition skipped', { jobId, partition: partition.id, reason: 'not pending' });
    return ok({ jobId, partition: partition.id, skipped: 'not pending: a duplicate delivery, or already done' });
  }
  try {
    const planned = await ctx.store.plannedJob(jobId);
    if (!planned) throw new NotInPlanError(jobId, partition.id, `job ${jobId} has no recorded plan`);
    const stored = await loadPreparedCached(planned.preparedRef, planned.preparedDigest);
    // A multi-tile job's partition: its own tile's plan only, as the job's record has it.
    const work = await partitionToRun(stored, jobId, partition.id, (key) => ctx.store.plannedTile(jobId, key), loadTilePlanCached);
    const { seconds, bytes } = await (ctx.runPartition ?? runPartition)(work.prepared, work.partition);
    const { finalize, jobFailed } = await ctx.store.partitionSucceeded(jobId, partition.id, seconds);
    if (jobFailed) await saveJobRecord(ctx.store, jobId);
    // A lost finalize message is sent again by the reconciler once its dispatch lease runs out.
    if (finalize) await ctx.dispatcher.dispatch({ kind: 'finalize', jobId }).catch((e) => ctx.log('finalize dispatch failed', { jobId, error: String(e) }));
    ctx.log('partition done', { jobId, partition: partition.id, attempt, seconds, bytes, finalize: !!finalize });
    return ok({ jobId, partition: partition.id, attempt, seconds, bytes });
  } catch (e) {
    const { error, permanent } = describeFailure(e);
    const { dead, jobFailed } = await ctx.store.partitionFailed(jobId, partition.id, { attempt, error, permanent, message: msg });
    const outcome = { dead: !!dead, jobFailed: !!jobFailed };
    if (outcome.jobFailed) await saveJobRecord(ctx.store, jobId);
    ctx.log('partition failed', { jobId, partition: partition.id, attempt, error, permanent, ...outcome });
    return { status: 500, body: { jobId, partition: partition.id, attempt, error, permanent, ...outcome } };
  }
}
