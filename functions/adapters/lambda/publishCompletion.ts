/**
 * The completion event of a finished job, published once per finish: the publisher first claims the job's
 * notification (a conditional write), so duplicate finalize deliveries, a finalize racing the dead-letter
 * consumer, or two concurrent retries publish one event. Only a function that dies after SNS accepted the
 * event and before the job is marked notified can cause a second one, after the claim goes stale; for that
 * case every event carries `eventId` (job id, status, finish time), the same in both, to deduplicate on.
 *
 * @example
 * await publishCompletion(deps, jobId); // true when this call published
 */
import type { LambdaDeps } from './lambdaDeps.ts';

/** A notification claim older than this belongs to a function that died before publishing. */
const NOTIFY_CLAIM_STALE_MS = 60_000;

export async function publishCompletion(deps: Pick<LambdaDeps, 'store' | 'publish'>, jobId: string, staleMs = NOTIFY_CLAIM_STALE_MS): Promise<boolean> {
  const job = await deps.store.claimNotify(jobId, staleMs);
  if (!job) return false;
  try {
    await deps.publish(
      {
        eventId: `${job.id}/${job.status}/${job.finishedAt ?? job.updatedAt}`,
        jobId: job.id, op: job.op, status: job.status, output: job.output,
        item: job.status === 'SUCCEEDED' ? `${job.output}/item.json` : undefined, errors: job.errors,
      },
      { status: job.status, op: job.op },
    );
  } catch (e) {
    await deps.store.releaseNotify(jobId);
    throw e;
  }
  await deps.store.markNotified(jobId);
  return true;
}
