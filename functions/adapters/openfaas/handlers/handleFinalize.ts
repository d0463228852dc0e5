/**
 * The `finalize` function: merge the parts into the product, once. The claim in the database makes a
 * duplicate finalize message a no-op; a merge that fails is retried by the reconciler. A SUCCEEDED job's
 * scratch (`_parts/`, `_eofn/`) is removed.
 *
 * @example
 * await handleFinalize(ctx, { kind: 'finalize', jobId });
 */
import { finalizeJob } from '../../../core/engine/finalizeJob.ts';
import { jobForMerge } from '../../../core/engine/tiledWork.ts';
import { removeScratch } from '../../../core/engine/scratch.ts';
import { finalizeMessageSchema } from '../../../core/engine/messages.ts';
import { describeFailure } from '../../../core/errors.ts';
import { badRequest, loadPreparedCached, ok, saveJobRecord, type HandlerContext, type HandlerResult } from './handlerContext.ts';

export async function handleFinalize(ctx: HandlerContext, body: unknown): Promise<HandlerResult> {
  const parsed = finalizeMessageSchema.safeParse(body);
  if (!parsed.success) return badRequest('expected a finalize message');
  const msg = parsed.data;
  const claim = await ctx.store.startFinalize(msg.jobId);
  if (!claim.claimed) return ok({ jobId: msg.jobId, skipped: 'finalize not queued: a duplicate delivery, or already done' });
  const attempt = claim.claim;
  const started = performance.now();
  try {
    const planned = await ctx.store.plannedJob(msg.jobId);
    if (!planned) throw new Error(`job ${msg.jobId} has no recorded plan`);
    // A multi-tile job's partitions come from its tiles' recorded plans, one after the other.
    const { prepared, plan } = await jobForMerge(await loadPreparedCached(planned.preparedRef, planned.preparedDigest), (key) => ctx.store.plannedTile(msg.jobId, key));
    const summary = await finalizeJob(prepared, plan);
    const completed = await ctx.store.finishJob(msg.jobId, attempt, 'SUCCEEDED', []);
    await saveJobRecord(ctx.store, msg.jobId);
    // Scratch goes once the job is SUCCEEDED in the database (a late duplicate then finds nothing pending).
    if (completed) await removeScratch(prepared.outputHref);
    const seconds = (performance.now() - started) / 1000;
    ctx.log('job finalized', { jobId: msg.jobId, attempt, seconds });
    return ok({ jobId: msg.jobId, attempt, seconds, assets: Object.keys(summary.assets) });
  } catch (e) {
    const { error, permanent } = describeFailure(e);
    const jobFailed = await ctx.store.finalizeFailed(msg.jobId, attempt, { error, permanent });
    if (jobFailed) await saveJobRecord(ctx.store, msg.jobId);
    ctx.log('finalize failed', { jobId: msg.jobId, attempt, error, permanent, jobFailed });
    return { status: 500, body: { jobId: msg.jobId, attempt, error, permanent, jobFailed } };
  }
}
