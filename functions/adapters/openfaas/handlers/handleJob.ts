/**
 * The `jobs` function: accepts a job (`acceptJob`: validate, prepare, plan for the memory its op's function
 * has, store the prepared job beside the output, record the job and its partitions) and sends one message
 * per partition. A resubmitted job (same id and content) is found in the database and not run again; a
 * different job under a known id is refused with 409. The submission is recorded with a lease before any
 * work, so that the reconciler notices when this function dies planning it (or fails for a reason a retry
 * may fix).
 *
 * @example
 * await handleJob(ctx, { kind: 'job', jobRef: 's3://eofn-jobs/ndvi.json' }); // { jobId, partitions: 4, created: true }
 */
import { readJobMessage } from '../../../core/engine/readJobFile.ts';
import { jobMessageSchema } from '../../../core/engine/messages.ts';
import { acceptJob } from '../../../core/lifecycle/index.ts';
import { opMemoryMb } from '../../../core/ops/descriptors.ts';
import { dispatchAll } from '../dispatcher.ts';
import { badRequest, ok, type HandlerContext, type HandlerResult } from './handlerContext.ts';

export async function handleJob(ctx: HandlerContext, body: unknown): Promise<HandlerResult> {
  const parsed = jobMessageSchema.safeParse(body);
  if (!parsed.success) return badRequest('expected {"kind":"job","job":{…}} or {"kind":"job","jobRef":"s3://…"}');
  const msg = parsed.data;
  // Direct dispatch: the partitions wait in PostgreSQL, due at once, and are sent as call slots free up.
  const pump = ctx.dispatcher.pump;
  const { maxAttempts } = ctx.settings;
  const accepted = await acceptJob({ read: () => readJobMessage(msg), received: msg }, {
    store: ctx.store,
    memoryMbOf: (op) => (ctx.settings.opMemoryMb as Record<string, number | undefined> | undefined)?.[op] ?? opMemoryMb(op),
    minPartitions: ctx.settings.minPartitions,
    limits: ctx.settings.jobLimits,
    recordOptions: () => ({ maxAttempts, dueInSeconds: pump ? 0 : undefined }),
    submission: { begin: async (jobId) => { await ctx.store.beginSubmission(jobId, msg, maxAttempts); }, end: (jobId) => ctx.store.endSubmission(jobId) },
  });
  switch (accepted.outcome) {
    case 'invalid':
      return badRequest('invalid job', { problems: accepted.problems });
    case 'conflict':
      return conflict(accepted.jobId);
    case 'known':
      return ok({ jobId: accepted.jobId, created: false, status: (await ctx.store.status(accepted.jobId))?.status });
  }
  const { plan } = accepted;
  const dispatchErrors = pump ? (await pump(), []) : await dispatchPartitions(ctx, plan.jobId, plan.op, plan.partitions);
  ctx.log('job accepted', { jobId: plan.jobId, op: plan.op, partitions: plan.partitions.length, created: true, dispatchErrors: dispatchErrors.length });
  return ok({ jobId: plan.jobId, partitions: plan.partitions.length, created: true, ...(dispatchErrors.length ? { dispatchErrors } : {}) });
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

/** Another job holds this id: the submitter learns it at once instead of reading someone else's status. */
function conflict(jobId: string): HandlerResult {
  return { status: 409, body: { error: `job id ${jobId} is taken by a different job (other content); choose another id or leave it out (the default id is a hash of the content)`, jobId } };
}
