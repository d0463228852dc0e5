/**
 * The `finalize` function: merge the parts into the product, once. The claim in the database makes a
 * duplicate finalize message a no-op; a merge that fails is retried by the reconciler. A SUCCEEDED job's
 * scratch (`_parts/`, `_eofn/`) is removed.
 *
 * @example
 * await handleFinalize(ctx, { kind: 'finalize', jobId });
 */
import { finalizeJob } from '../../../core/engine/finalizeJob.ts';
import { removeScratch } from '../../../core/engine/scratch.ts';
import type { FinalizeMessage } from '../../../core/engine/messages.ts';
import { describeFailure } from '../../../core/errors.ts';
import { badRequest, loadPreparedCached, ok, saveJobRecord, type HandlerContext, type HandlerResult } from './handlerContext.ts';

export async function handleFinalize(ctx: HandlerContext, body: unknown): Promise<HandlerResult> {
  const msg = body as FinalizeMessage;
  if (msg?.kind !== 'finalize' || typeof msg.jobId !== 'string') return badRequest('expected a finalize message');
  const attempt = await ctx.store.claimFinalize(msg.jobId);
  if (attempt === undefined) return ok({ jobId: msg.jobId, skipped: 'finalize not queued: a duplicate delivery, or already done' });
  const started = performance.now();
  try {
    const planned = await ctx.store.plannedJob(msg.jobId);
    if (!planned) throw new Error(`job ${msg.jobId} has no recorded plan`);
    const { prepared, plan } = await loadPreparedCached(planned.preparedRef, planned.preparedDigest);
    const summary = await finalizeJob(prepared, plan);
    const completed = await ctx.store.completeFinalize(msg.jobId, attempt);
    await saveJobRecord(ctx.store, msg.jobId);
    // Scratch goes once the job is SUCCEEDED in the database (a late duplicate then finds nothing pending).
    if (completed) await removeScratch(prepared.outputHref);
    const seconds = (performance.now() - started) / 1000;
    ctx.log('job finalized', { jobId: msg.jobId, attempt, seconds });
    return ok({ jobId: msg.jobId, attempt, seconds, assets: Object.keys(summary.assets) });
  } catch (e) {
    const { error, permanent } = describeFailure(e);
    const jobFailed = await ctx.store.failFinalize(msg.jobId, attempt, error, permanent);
    if (jobFailed) await saveJobRecord(ctx.store, msg.jobId);
    ctx.log('finalize failed', { jobId: msg.jobId, attempt, error, permanent, jobFailed });
    return { status: 500, body: { jobId: msg.jobId, attempt, error, permanent, jobFailed } };
  }
}
