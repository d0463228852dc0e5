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
import { jobMessageSchema, planTileMessageSchema } from '../../../core/engine/messages.ts';
import { acceptJob, planTileOf, sendTile } from '../../../core/lifecycle/index.ts';
import { opMemoryMb } from '../../../core/ops/descriptors.ts';
import { dispatchAll } from '../dispatcher.ts';
import { badRequest, ok, saveJobRecord, type HandlerContext, type HandlerResult } from './handlerContext.ts';

export async function handleJob(ctx: HandlerContext, body: unknown): Promise<HandlerResult> {
  if ((body as { kind?: unknown } | null)?.kind === 'plan-tile') return handlePlanTile(ctx, body);
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
    planFanOutTiles: ctx.settings.planFanOutTiles,
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
  const { plan, work } = accepted;
  const recordOptions = { maxAttempts, dueInSeconds: pump ? 0 : undefined };
  const send = (partitions: { id: string }[]) => pump ? Promise.resolve([]) : dispatchPartitions(ctx, plan.jobId, plan.op, partitions);
  const dispatchErrors: string[] = [];
  if (work.kind === 'partitions') {
    dispatchErrors.push(...await send(work.partitions));
  } else if (work.kind === 'tiles') {
    // A tile at a time: its partitions recorded with it, then called; only one tile's partitions in memory.
    for (const tile of work.tiles) await sendTile(ctx.store, plan.jobId, tile, async (partitions) => { dispatchErrors.push(...await send(partitions)); }, recordOptions);
  } else {
    // One plan-tile call per tile, to this function; each tile has a lease (recorded with the job), so the
    // reconciler sends a lost call again.
    dispatchErrors.push(...await dispatchAll(ctx.dispatcher, work.tiles.map((tile) => ({ kind: 'plan-tile' as const, jobId: plan.jobId, tile }))));
  }
  await ctx.store.startJob(plan.jobId);
  if (pump) await pump();
  const size = work.kind === 'partitions' ? { partitions: work.partitions.length } : { tiles: work.tiles.length, planning: work.kind === 'plan-tiles' ? 'fanned out' : 'done' };
  ctx.log('job accepted', { jobId: plan.jobId, op: plan.op, ...size, created: true, dispatchErrors: dispatchErrors.length });
  return ok({ jobId: plan.jobId, ...size, created: true, ...(dispatchErrors.length ? { dispatchErrors } : {}) });
}

/** A tile of a job whose planning is fanned out: prepared, planned, recorded and its partitions called. */
async function handlePlanTile(ctx: HandlerContext, body: unknown): Promise<HandlerResult> {
  const parsed = planTileMessageSchema.safeParse(body);
  if (!parsed.success) return badRequest('expected {"kind":"plan-tile","jobId":"…","tile":"…"}');
  const msg = parsed.data;
  const pump = ctx.dispatcher.pump;
  const op = (await ctx.store.plannedJob(msg.jobId))?.op ?? '';
  const dispatchErrors: string[] = [];
  const result = await planTileOf(msg, {
    store: ctx.store, minPartitions: ctx.settings.minPartitions, limits: ctx.settings.jobLimits,
    recordOptions: { maxAttempts: ctx.settings.maxAttempts, dueInSeconds: pump ? 0 : undefined },
    send: async (partitions) => { if (!pump) dispatchErrors.push(...await dispatchPartitions(ctx, msg.jobId, op, partitions)); },
    claim: { start: (jobId, key) => ctx.store.startPlanTile(jobId, key), failed: (jobId, key, attempt, error) => ctx.store.planTileAttemptFailed(jobId, key, attempt, error) },
  });
  if (pump) await pump();
  if (result.outcome === 'failed') await saveJobRecord(ctx.store, msg.jobId);
  // A lost finalize call is sent again by the reconciler once its dispatch lease runs out.
  if (result.outcome === 'planned' && result.finalize) await ctx.dispatcher.dispatch({ kind: 'finalize', jobId: msg.jobId }).catch((e) => ctx.log('finalize dispatch failed', { jobId: msg.jobId, error: String(e) }));
  ctx.log('plan-tile', { ...result, dispatchErrors: dispatchErrors.length });
  return result.outcome === 'failed' ? badRequest(result.error, { ...result }) : ok({ ...result, ...(dispatchErrors.length ? { dispatchErrors } : {}) });
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
