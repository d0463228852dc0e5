/**
 * The `jobs` function: validate and prepare a job, plan it for the memory its op's function has, store the
 * prepared job beside the output, record the job and its partitions, and send one message per partition.
 * A resubmitted job (same id and content) is found in the database and not run again; a different job under
 * a known id is refused with 409. The submission is recorded with a lease before any work, so that the
 * reconciler notices when this function dies planning it (or fails for a reason a retry may fix).
 *
 * @example
 * await handleJob(ctx, { kind: 'job', jobRef: 's3://eofn-jobs/ndvi.json' }); // { jobId, partitions: 4, created: true }
 */
import { planJob, prepareJob, readJobFile, storePrepared } from '../../../core/engine/index.ts';
import type { JobMessage } from '../../../core/engine/messages.ts';
import { InvalidJobError, isPermanent } from '../../../core/errors.ts';
import { contentHash, validateJob } from '../../../core/contract/validateJob.ts';
import { opMemoryMb } from '../../../core/ops/descriptors.ts';
import { dispatchAll } from '../dispatcher.ts';
import { badRequest, ok, type HandlerContext, type HandlerResult } from './handlerContext.ts';

export async function handleJob(ctx: HandlerContext, body: unknown): Promise<HandlerResult> {
  const msg = body as JobMessage;
  if (msg?.kind !== 'job' || !('job' in msg || 'jobRef' in msg)) return badRequest('expected {"kind":"job","job":{…}} or {"kind":"job","jobRef":"s3://…"}');
  let raw: unknown;
  let submission: string | undefined;
  try {
    const source = 'jobRef' in msg ? await readJobFile(msg.jobRef) : { raw: msg.job, base: msg.base };
    raw = source.raw;
    const valid = validateJob(raw);
    const hash = contentHash(valid);
    const knownHash = await ctx.store.jobHash(valid.id);
    if (knownHash !== undefined) return knownHash === hash ? known(ctx, valid.id) : conflict(valid.id);
    submission = valid.id;
    await ctx.store.beginSubmission(submission, msg, ctx.settings.maxAttempts);

    const prepared = await prepareJob(raw, source.base);
    const memoryMb = ctx.settings.opMemoryMb?.[prepared.job.op] ?? opMemoryMb(prepared.job.op);
    const plan = planJob(prepared, { memoryMb, minPartitions: ctx.settings.minPartitions, limits: ctx.settings.jobLimits });
    const stored = await storePrepared(prepared, plan);
    // Direct dispatch: the partitions wait in PostgreSQL, due at once, and are sent as call slots free up.
    const pump = ctx.dispatcher.pump;
    const outcome = await ctx.store.createJob({
      jobId: plan.jobId, op: plan.op, outputHref: prepared.outputHref, preparedRef: stored.href, preparedDigest: stored.digest,
      hash, memoryMb, partitions: plan.partitions, maxAttempts: ctx.settings.maxAttempts, dueInSeconds: pump ? 0 : undefined,
    });
    await ctx.store.endSubmission(submission);
    if (outcome === 'conflict') return conflict(plan.jobId);
    const created = outcome === 'created';
    const dispatchErrors = !created ? [] : pump ? (await pump(), []) : await dispatchPartitions(ctx, plan.jobId, plan.op, plan.partitions);
    ctx.log('job accepted', { jobId: plan.jobId, op: plan.op, partitions: plan.partitions.length, created, dispatchErrors: dispatchErrors.length });
    return ok({ jobId: plan.jobId, partitions: plan.partitions.length, created, ...(dispatchErrors.length ? { dispatchErrors } : {}) });
  } catch (e) {
    if (!isPermanent(e)) throw e;
    const problems = e instanceof InvalidJobError ? e.problems : [(e as Error).message];
    const id = (raw as { id?: unknown } | undefined)?.id;
    if (typeof id === 'string') await ctx.store.recordInvalid(id, String((raw as { op?: unknown }).op ?? 'unknown'), problems);
    if (submission) await ctx.store.endSubmission(submission);
    return badRequest('invalid job', { problems });
  }
}

/** The partition calls go out a chunk at a time: the messages of a 100,000-partition plan are never all built at once. */
async function dispatchPartitions(ctx: HandlerContext, jobId: string, op: string, partitions: { id: string }[], chunk = 2000): Promise<string[]> {
  const errors: string[] = [];
  for (let i = 0; i < partitions.length; i += chunk) {
    const messages = partitions.slice(i, i + chunk).map(({ id }) => ({ kind: 'partition' as const, jobId, op, partition: { id } }));
    errors.push(...await dispatchAll(ctx.dispatcher, messages));
  }
  return errors;
}

async function known(ctx: HandlerContext, jobId: string): Promise<HandlerResult> {
  return ok({ jobId, created: false, status: (await ctx.store.status(jobId))?.status });
}

/** Another job holds this id: the submitter learns it at once instead of reading someone else's status. */
function conflict(jobId: string): HandlerResult {
  return { status: 409, body: { error: `job id ${jobId} is taken by a different job (other content); choose another id or leave it out (the default id is a hash of the content)`, jobId } };
}
