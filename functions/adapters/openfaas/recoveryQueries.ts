/**
 * What the reconciler and `eofn redrive` do to the state, as queries run inside one transaction. Rows are
 * locked with SKIP LOCKED, so two reconcilers running at once never send the same partition twice.
 *
 * @example
 * const { dispatch } = await inTransaction(pool, (c) => reconcileDue(c, timings, deadLetter));
 */
import type pg from 'pg';
import type { JobMessage, PartitionMessage } from '../../core/engine/messages.ts';
import { partitionMessage, type DispatchMessage, type PartitionRow } from './dispatchMessage.ts';
import { claimDispatchSlots, LEASE_EXPIRED } from './dispatchQueries.ts';
import type { StoreTimings } from './storeTimings.ts';
import { reconcileTiles, redriveTiles } from './tileDispatchQueries.ts';

export type { StoreTimings } from './storeTimings.ts';

/** A partition past its last attempt, as the dead-letter table files it. */
export interface DeadPartition {
  job_id: string;
  partition_id: string;
  attempts: number;
  error: string;
  message: PartitionMessage;
}


export interface ReconcileResult {
  dispatch: DispatchMessage[];
  deadLettered: number;
  /** Jobs that this pass settled as FAILED. */
  failedJobs: string[];
}

export async function reconcileDue(
  c: pg.PoolClient, timings: StoreTimings, deadLetter: (c: pg.PoolClient, dead: DeadPartition[]) => Promise<string[]>,
  /** Direct dispatch: send at most this many partitions per op at once (see claimDispatchSlots). */
  concurrency?: number,
): Promise<ReconcileResult> {
  // Past the attempt limit: the lease of the last allowed attempt ran out.
  const expired = await c.query<PartitionRow & { partition_id: string; attempts: number; last_error: string }>(
    `WITH due AS (
       SELECT p.job_id, p.partition_id FROM partitions p JOIN jobs j USING (job_id)
       WHERE p.status = 'RUNNING' AND p.lease_until < now() AND p.attempts >= j.max_attempts
       FOR UPDATE OF p SKIP LOCKED)
     UPDATE partitions p SET status = 'DEAD', last_error = ${LEASE_EXPIRED}, updated_at = now()
     FROM due, jobs j WHERE p.job_id = due.job_id AND p.partition_id = due.partition_id AND j.job_id = p.job_id
     RETURNING p.job_id, p.partition_id, p.attempts, p.last_error, p.spec, j.op`);
  const failedJobs = await deadLetter(c, expired.rows.map((r) => ({
    job_id: r.job_id, partition_id: r.partition_id, attempts: r.attempts, error: r.last_error, message: partitionMessage(r),
  })));

  // Attempts left: expired leases, failures due for a retry, and dispatches that never arrived.
  const again = concurrency ? { rows: await claimDispatchSlots(c, { concurrency, leaseSeconds: timings.dispatchTimeoutSeconds }) } : await c.query<PartitionRow>(
    `WITH due AS (
       SELECT p.job_id, p.partition_id FROM partitions p JOIN jobs j USING (job_id)
       WHERE p.status IN ('PENDING', 'RUNNING', 'FAILED') AND p.lease_until < now() AND j.status = 'RUNNING'
       FOR UPDATE OF p SKIP LOCKED)
     UPDATE partitions p SET status = 'PENDING', updated_at = now(),
       lease_until = now() + $1 * interval '1 second',
       last_error = CASE WHEN p.status = 'RUNNING' THEN ${LEASE_EXPIRED} ELSE p.last_error END
     FROM due, jobs j WHERE p.job_id = due.job_id AND p.partition_id = due.partition_id AND j.job_id = p.job_id
     RETURNING p.job_id, p.spec, j.op`,
    [timings.dispatchTimeoutSeconds]);

  const finalize = await c.query<{ job_id: string; finalize_state: string }>(
    `WITH due AS (
       SELECT job_id FROM jobs WHERE finalize_state IN ('QUEUED', 'RUNNING') AND finalize_lease_until < now()
       FOR UPDATE SKIP LOCKED)
     UPDATE jobs j SET updated_at = now(), finalize_lease_until = now() + $1 * interval '1 second',
       finalize_state = CASE WHEN j.finalize_state = 'RUNNING' AND j.finalize_attempts >= j.max_attempts THEN 'DEAD' ELSE 'QUEUED' END,
       status = CASE WHEN j.finalize_state = 'RUNNING' AND j.finalize_attempts >= j.max_attempts THEN 'FAILED' ELSE j.status END,
       errors = CASE WHEN j.finalize_state = 'RUNNING' AND j.finalize_attempts >= j.max_attempts
         THEN j.errors || jsonb_build_array('finalize: lease expired during attempt ' || j.finalize_attempts) ELSE j.errors END
     FROM due WHERE j.job_id = due.job_id
     RETURNING j.job_id, j.finalize_state`,
    [timings.dispatchTimeoutSeconds]);

  const submissions = await reconcileSubmissions(c, timings);
  const tiles = await reconcileTiles(c, timings);

  return {
    dispatch: [
      ...submissions.again,
      ...tiles.again,
      ...again.rows.map(partitionMessage),
      ...finalize.rows.filter((r) => r.finalize_state === 'QUEUED')
        .map((r): DispatchMessage => ({ kind: 'finalize', jobId: r.job_id })),
    ],
    deadLettered: expired.rowCount ?? 0,
    failedJobs: [...failedJobs, ...finalize.rows.filter((r) => r.finalize_state === 'DEAD').map((r) => r.job_id), ...submissions.failed, ...tiles.failed],
  };
}

/**
 * Submissions whose jobs function died: sent again while attempts are left; past the limit the job is
 * recorded FAILED with the reason (unless planning got as far as recording the job), so `eofn status` shows it.
 */
async function reconcileSubmissions(c: pg.PoolClient, timings: StoreTimings): Promise<{ again: DispatchMessage[]; failed: string[] }> {
  const dead = await c.query<{ job_id: string; message: JobMessage & { job?: { op?: string } }; attempts: number }>(
    `WITH due AS (SELECT job_id FROM submissions WHERE state = 'RUNNING' AND lease_until < now() AND attempts >= max_attempts FOR UPDATE SKIP LOCKED)
     UPDATE submissions s SET state = 'DEAD', updated_at = now() FROM due WHERE s.job_id = due.job_id
     RETURNING s.job_id, s.message, s.attempts`);
  const failed: string[] = [];
  for (const d of dead.rows) {
    const reason = `jobs stage: the submission did not complete in ${d.attempts} attempt(s): the function timed out, ran out of memory or crashed (see the eofn-jobs log); \`eofn redrive ${d.job_id} --backend dias\` sends it again`;
    const op = 'job' in d.message && typeof d.message.job?.op === 'string' ? d.message.job.op : 'unknown';
    const r = await c.query(
      `INSERT INTO jobs (job_id, op, status, errors) VALUES ($1, $2, 'FAILED', jsonb_build_array($3::text))
       ON CONFLICT (job_id) DO UPDATE SET status = 'FAILED', errors = jsonb_build_array($3::text), updated_at = now() WHERE jobs.status = 'INVALID'`,
      [d.job_id, op, reason]);
    if (r.rowCount) failed.push(d.job_id);
  }
  const again = await c.query<{ message: JobMessage }>(
    `WITH due AS (SELECT job_id FROM submissions WHERE state = 'RUNNING' AND lease_until < now() AND attempts < max_attempts FOR UPDATE SKIP LOCKED)
     UPDATE submissions s SET lease_until = now() + $1 * interval '1 second', updated_at = now() FROM due WHERE s.job_id = due.job_id
     RETURNING s.message`,
    [timings.dispatchTimeoutSeconds]);
  return { again: again.rows.map((r) => r.message), failed };
}

export async function redriveJob(c: pg.PoolClient, jobId: string, timings: StoreTimings): Promise<DispatchMessage[]> {
  // A submission that died in the jobs stage: its FAILED placeholder goes, the submission is sent again.
  const submission = await c.query<{ message: JobMessage }>(
    `UPDATE submissions SET state = 'RUNNING', attempts = 0, updated_at = now(), lease_until = now() + $2 * interval '1 second'
     WHERE job_id = $1 AND state = 'DEAD' RETURNING message`,
    [jobId, timings.dispatchTimeoutSeconds]);
  if (submission.rowCount) {
    await c.query(`DELETE FROM jobs WHERE job_id = $1 AND status = 'FAILED' AND prepared_ref IS NULL`, [jobId]);
    return submission.rows.map((r) => r.message);
  }
  const parts = await c.query<PartitionRow>(
    `UPDATE partitions p SET status = 'PENDING', attempts = 0, updated_at = now(), lease_until = now() + $2 * interval '1 second'
     FROM jobs j WHERE j.job_id = p.job_id AND p.job_id = $1 AND p.status IN ('DEAD', 'FAILED')
     RETURNING p.job_id, p.spec, j.op`,
    [jobId, timings.dispatchTimeoutSeconds]);
  await c.query('DELETE FROM dead_letters WHERE job_id = $1', [jobId]);
  const tiles = await redriveTiles(c, jobId, timings);
  // A job with tiles still to plan waits for them before its merge (a tile that failed its job left finalize DEAD).
  const job = await c.query<{ finalize_state: string }>(
    `UPDATE jobs SET dead = 0, errors = '[]', updated_at = now(),
       status = CASE WHEN status = 'FAILED' THEN 'RUNNING' ELSE status END,
       finalize_state = CASE WHEN finalize_state <> 'DEAD' THEN finalize_state WHEN tiles_planned < tiles THEN 'WAITING' ELSE 'QUEUED' END,
       finalize_attempts = CASE WHEN finalize_state = 'DEAD' THEN 0 ELSE finalize_attempts END,
       finalize_lease_until = CASE WHEN finalize_state = 'DEAD' THEN now() + $2 * interval '1 second' ELSE finalize_lease_until END
     WHERE job_id = $1 AND status IN ('FAILED', 'RUNNING')
     RETURNING finalize_state, (finalize_state = 'QUEUED' AND done = total) AS finalize_now`,
    [jobId, timings.dispatchTimeoutSeconds]);
  const messages: DispatchMessage[] = [...tiles, ...parts.rows.map(partitionMessage)];
  const row = job.rows[0] as { finalize_now?: boolean } | undefined;
  if (row?.finalize_now) messages.push({ kind: 'finalize', jobId });
  return messages;
}
