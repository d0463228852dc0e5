/**
 * The `reconcile` function, run every minute by the cron connector: sends again the partitions whose
 * lease expired or whose failure has attempts left, dead-letters those past the limit, and re-sends a
 * finalize, a submission or a `plan-tile` call that was lost or died (past the limit its job is FAILED with
 * the reason). This is what OpenFaaS CE's queue does not do (no retries, no DLQ).
 *
 * @example
 * await handleReconcile(ctx, {}); // { redispatched: 1, deadLettered: 0, failedJobs: [] }
 */
import { dispatchAll } from '../dispatcher.ts';
import { ok, saveJobRecord, type HandlerContext, type HandlerResult } from './handlerContext.ts';

export async function handleReconcile(ctx: HandlerContext): Promise<HandlerResult> {
  // Direct dispatch: re-send only what fits the free call slots; the rest stays due in PostgreSQL.
  const result = await ctx.store.reconcile(ctx.settings.dispatch === 'direct' ? ctx.settings.dispatchConcurrency : undefined);
  const dispatchErrors = await dispatchAll(ctx.dispatcher, result.dispatch);
  for (const jobId of result.failedJobs) await saveJobRecord(ctx.store, jobId);
  const summary = { redispatched: result.dispatch.length, deadLettered: result.deadLettered, failedJobs: result.failedJobs, dispatchErrors };
  if (result.dispatch.length || result.deadLettered || result.failedJobs.length) ctx.log('reconciled', summary);
  return ok(summary);
}
