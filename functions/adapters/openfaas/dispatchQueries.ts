/**
 * Direct dispatch's queue, kept in PostgreSQL: a partition is due when it is pending, failed or its lease
 * ran out, and an op may have at most `concurrency` partitions sent or running at once (a call slot per
 * replica the edition allows). Taking slots sets a dispatch lease on the rows, so whichever process sends
 * them, the count stays right; an advisory lock makes two dispatchers (jobs and reconcile) take turns.
 * Nothing lives in a message queue: a restart of NATS or of the dispatching pod loses no work.
 *
 * @example
 * const messages = await inTransaction(pool, (c) => claimDispatchSlots(c, { concurrency: 5, leaseSeconds: 3600 }));
 */
import type pg from 'pg';
import type { DispatchMessage, PartitionRow } from './dispatchMessage.ts';

/** SQL for the error of a partition whose lease ran out: the worker died or ran past its timeout. */
export const LEASE_EXPIRED = "'lease expired during attempt ' || p.attempts || ': the worker died or ran past its timeout'";

export interface SlotOptions {
  /** Partitions of one op sent or running at once. */
  concurrency: number;
  /** How long a sent partition counts as in flight before it is due again (it was lost on the way). */
  leaseSeconds: number;
}

/** Takes the free call slots of every op; returns the partitions to send now, oldest job first. */
export async function claimDispatchSlots(c: pg.PoolClient, opts: SlotOptions): Promise<PartitionRow[]> {
  await c.query(`SELECT pg_advisory_xact_lock(hashtext(current_schema() || ':eofn-dispatch'))`);
  const { rows } = await c.query<PartitionRow>(
    `WITH busy AS (
       SELECT j.op, count(*)::int AS n FROM partitions p JOIN jobs j USING (job_id)
       WHERE p.status IN ('PENDING', 'RUNNING') AND p.lease_until >= now() AND j.status = 'RUNNING'
       GROUP BY j.op),
     due AS (
       SELECT p.job_id, p.partition_id, j.op,
         row_number() OVER (PARTITION BY j.op ORDER BY j.created_at, p.job_id, p.partition_id) AS rank
       FROM partitions p JOIN jobs j USING (job_id)
       WHERE p.status IN ('PENDING', 'RUNNING', 'FAILED') AND p.lease_until < now() AND j.status = 'RUNNING'
         -- an expired last attempt is the reconciler's to dead-letter
         AND NOT (p.status = 'RUNNING' AND p.attempts >= j.max_attempts)),
     picked AS (
       SELECT due.job_id, due.partition_id FROM due LEFT JOIN busy USING (op)
       WHERE due.rank <= $1 - COALESCE(busy.n, 0))
     UPDATE partitions p SET status = 'PENDING', updated_at = now(),
       lease_until = now() + $2 * interval '1 second',
       last_error = CASE WHEN p.status = 'RUNNING' THEN ${LEASE_EXPIRED} ELSE p.last_error END
     FROM picked, jobs j WHERE p.job_id = picked.job_id AND p.partition_id = picked.partition_id AND j.job_id = p.job_id
     RETURNING p.job_id, p.spec, j.op, j.prepared_ref`,
    [opts.concurrency, opts.leaseSeconds]);
  return rows;
}

/** A sent partition that no pod took (busy, or the gateway failed): due again after `seconds`. */
export async function releaseDispatch(c: pg.Pool | pg.PoolClient, jobId: string, partitionId: string, seconds: number): Promise<boolean> {
  const r = await c.query(
    `UPDATE partitions SET lease_until = now() + $3 * interval '1 second', updated_at = now()
     WHERE job_id = $1 AND partition_id = $2 AND status = 'PENDING'`,
    [jobId, partitionId, seconds]);
  return !!r.rowCount;
}

/**
 * The work of a call the gateway refused, due at the reconciler's next pass: a partition not yet taken, a
 * tile not yet claimed, a queued merge. Work already taken by a function is left as it is.
 */
export async function makeDue(c: pg.Pool | pg.PoolClient, message: DispatchMessage): Promise<void> {
  if (message.kind === 'partition') {
    await c.query(`UPDATE partitions SET lease_until = now(), updated_at = now() WHERE job_id = $1 AND partition_id = $2 AND status = 'PENDING'`, [message.jobId, message.partition.id]);
  } else if (message.kind === 'plan-tile') {
    await c.query(`UPDATE tile_dispatch SET lease_until = now(), updated_at = now() WHERE job_id = $1 AND tile = $2 AND state = 'SENT'`, [message.jobId, message.tile]);
  } else if (message.kind === 'finalize') {
    await c.query(`UPDATE jobs SET finalize_lease_until = now(), updated_at = now() WHERE job_id = $1 AND finalize_state = 'QUEUED'`, [message.jobId]);
  }
}
