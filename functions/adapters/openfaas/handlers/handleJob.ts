/**
 * The `jobs` function: validate and prepare a job, plan it for the memory its op's function has, store the
 * prepared job beside the output, record the job and its partitions, and send one message per partition.
 * A resubmitted job (same id) is found in the database and not run again.
 *
 * @example
 * await handleJob(ctx, { kind: 'job', jobRef: 's3://eofn-jobs/ndvi.json' }); // { jobId, partitions: 4, created: true }
 */
import { planJob, prepareJob, readJobFile, storePrepared } from '../../../core/engine/index.ts';
import type { JobMessage } from '../../../core/engine/messages.ts';
import { InputError, InvalidJobError } from '../../../core/errors.ts';
import { budgetBytes, mb } from '../../../core/plan/memoryModel.ts';
import { FINALIZE_MEMORY_MB, opMemoryMb } from '../../../core/plan/opMemory.ts';
import { dispatchAll } from '../dispatcher.ts';
import { badRequest, ok, type HandlerContext, type HandlerResult } from './handlerContext.ts';

export async function handleJob(ctx: HandlerContext, body: unknown): Promise<HandlerResult> {
  const msg = body as JobMessage;
  if (msg?.kind !== 'job' || !('job' in msg || 'jobRef' in msg)) return badRequest('expected {"kind":"job","job":{…}} or {"kind":"job","jobRef":"s3://…"}');
  let raw: unknown;
  try {
    const source = 'jobRef' in msg ? await readJobFile(msg.jobRef) : { raw: msg.job, base: msg.base };
    raw = source.raw;
    const known = typeof (raw as { id?: unknown })?.id === 'string' ? await ctx.store.status((raw as { id: string }).id) : undefined;
    if (known && known.status !== 'INVALID') return ok({ jobId: known.id, created: false, status: known.status });

    const prepared = await prepareJob(raw, source.base);
    const memoryMb = opMemoryMb(prepared.job.op);
    const plan = planJob(prepared, { memoryMb, minPartitions: ctx.settings.minPartitions });
    if (plan.mergePeakBytes > budgetBytes(FINALIZE_MEMORY_MB)) {
      throw new InputError('job', `the merge needs about ${mb(plan.mergePeakBytes)} MB, more than the ${FINALIZE_MEMORY_MB} MB of the finalize function; split the job into smaller areas`);
    }
    const preparedRef = await storePrepared(prepared, plan);
    // Direct dispatch: the partitions wait in PostgreSQL, due at once, and are sent as call slots free up.
    const pump = ctx.dispatcher.pump;
    const created = await ctx.store.createJob({
      jobId: plan.jobId, op: plan.op, outputHref: prepared.outputHref, preparedRef, memoryMb,
      partitions: plan.partitions, maxAttempts: ctx.settings.maxAttempts, dueInSeconds: pump ? 0 : undefined,
    });
    const dispatchErrors = !created ? [] : pump ? (await pump(), []) : await dispatchAll(ctx.dispatcher, plan.partitions.map((partition) => ({
      kind: 'partition' as const, jobId: plan.jobId, op: plan.op, partition, preparedRef,
    })));
    ctx.log('job accepted', { jobId: plan.jobId, op: plan.op, partitions: plan.partitions.length, created, dispatchErrors: dispatchErrors.length });
    return ok({ jobId: plan.jobId, partitions: plan.partitions.length, created, ...(dispatchErrors.length ? { dispatchErrors } : {}) });
  } catch (e) {
    if (!(e instanceof InvalidJobError || e instanceof InputError)) throw e;
    const problems = e instanceof InvalidJobError ? e.problems : [e.message];
    const id = (raw as { id?: unknown } | undefined)?.id;
    if (typeof id === 'string') await ctx.store.recordInvalid(id, String((raw as { op?: unknown }).op ?? 'unknown'), problems);
    return badRequest('invalid job', { problems });
  }
}
