/**
 * Job and partition state in PostgreSQL. A partition is claimed with a lease before it runs; completion is
 * counted in the same transaction that queues finalize, once, when the last part lands. A failure either
 * leaves the partition due for a retry (the reconciler re-dispatches it) or, past the attempt limit or on
 * bad input, moves it to `dead_letters`; a job whose partitions are all settled with some dead is FAILED.
 *
 * @example
 * const store = await JobStore.open(dsn, 'eofn');
 * const attempt = await store.claimPartition(jobId, partitionId, 900);
 */
import type pg from 'pg';
import type { JobRecord } from '../../core/engine/jobRecord.ts';
import type { FinalizeMessage, JobMessage, PartitionMessage } from '../../core/engine/messages.ts';
import type { PartitionSpec } from '../../core/plan/types.ts';
import type { JobStatusView } from '../shared/cliBackend.ts';
import { inTransaction, openPool } from './pgPool.ts';
import { reconcileDue, redriveJob, type ReconcileResult, type StoreTimings } from './recoveryQueries.ts';
import { jobRecordOf, jobStatusViewOf, type JobRow, type PartitionStateRow } from './jobStatusView.ts';
import { partitionMessage, type DispatchMessage } from './dispatchMessage.ts';
import { claimDispatchSlots, releaseDispatch } from './dispatchQueries.ts';
import { insertPartitions } from './insertPartitions.ts';

export interface NewJob {
  jobId: string;
  op: string;
  outputHref: string;
  preparedRef: string;
  /** SHA-256 of the stored prepared job (see `storePrepared`). */
  preparedDigest: string;
  /** SHA-256 of the validated job's canonical JSON: another content under the same id is a conflict. */
  hash: string;
  memoryMb: number;
  partitions: PartitionSpec[];
  maxAttempts: number;
  /** Seconds before an unsent partition counts as lost (default: the dispatch timeout); 0 = due at once (direct dispatch). */
  dueInSeconds?: number;
}

/** Where a job's planned work is: what partitions and finalize run, whatever a message says. */
export interface PlannedJob {
  op: string;
  preparedRef: string;
  preparedDigest: string;
}

export class JobStore {
  readonly pool: pg.Pool;
  readonly timings: StoreTimings;
  /** Claims this process holds (partition or finalize, with the attempt), for shortenHeldLeases. */
  private readonly held = new Map<string, { jobId: string; partitionId?: string; attempt: number }>();

  constructor(pool: pg.Pool, timings: StoreTimings) {
    this.pool = pool;
    this.timings = timings;
  }

  /** Connects, applies pending migrations, and returns a store for the schema. */
  static async open(databaseUrl: string, schema: string, timings: StoreTimings): Promise<JobStore> {
    return new JobStore(await openPool(databaseUrl, schema), timings);
  }

  close(): Promise<void> {
    return this.pool.end();
  }

  /**
   * Records a job and its partitions as dispatched: 'created'; 'same' when the job was already known with
   * the same content (a resubmission), 'conflict' when another job holds the id.
   */
  createJob(job: NewJob): Promise<'created' | 'same' | 'conflict'> {
    return inTransaction(this.pool, async (c) => {
      const created = await c.query(
        `INSERT INTO jobs (job_id, op, status, output_href, prepared_ref, prepared_digest, job_hash, memory_mb, total, max_attempts, errors)
         VALUES ($1, $2, 'RUNNING', $3, $4, $5, $6, $7, $8, $9, '[]')
         ON CONFLICT (job_id) DO UPDATE SET op = $2, status = 'RUNNING', output_href = $3, prepared_ref = $4,
           prepared_digest = $5, job_hash = $6, memory_mb = $7, total = $8, max_attempts = $9, errors = '[]', updated_at = now()
         WHERE jobs.status = 'INVALID'
         RETURNING job_id`,
        [job.jobId, job.op, job.outputHref, job.preparedRef, job.preparedDigest, job.hash, job.memoryMb, job.partitions.length, job.maxAttempts]);
      if (!created.rowCount) return (await this.jobHash(job.jobId)) === job.hash ? 'same' : 'conflict';
      await insertPartitions(c, job.jobId, job.partitions, job.dueInSeconds ?? this.timings.dispatchTimeoutSeconds);
      return 'created';
    });
  }

  /**
   * The jobs function took a submission: recorded with a lease before any work, so that a function that dies
   * planning it (a timeout, out of memory) is noticed by the reconciler. Returns the attempt number.
   */
  async beginSubmission(jobId: string, message: JobMessage, maxAttempts: number): Promise<number> {
    const { rows } = await this.pool.query<{ attempts: number }>(
      `INSERT INTO submissions (job_id, message, attempts, max_attempts, lease_until) VALUES ($1, $2, 1, $3, now() + $4 * interval '1 second')
       ON CONFLICT (job_id) DO UPDATE SET message = $2, state = 'RUNNING', attempts = submissions.attempts + 1, updated_at = now(),
         lease_until = now() + $4 * interval '1 second'
       RETURNING attempts`,
      [jobId, JSON.stringify(message), maxAttempts, this.timings.leaseSeconds]);
    return rows[0].attempts;
  }

  /** The submission is recorded as a job (or rejected as invalid): nothing left for the reconciler. */
  async endSubmission(jobId: string): Promise<void> {
    await this.pool.query(`UPDATE submissions SET state = 'DONE', updated_at = now() WHERE job_id = $1`, [jobId]);
  }

  /** The content hash of a valid job known under `jobId` (undefined when unknown or INVALID). */
  async jobHash(jobId: string): Promise<string | undefined> {
    const { rows } = await this.pool.query<{ job_hash: string | null }>(
      `SELECT job_hash FROM jobs WHERE job_id = $1 AND status <> 'INVALID'`, [jobId]);
    // A job recorded before hashes were kept matches nothing: its id is taken.
    return rows.length ? (rows[0].job_hash ?? 'unknown') : undefined;
  }

  /** The job's recorded plan: where its prepared job is and the digest it must have. */
  async plannedJob(jobId: string): Promise<PlannedJob | undefined> {
    const { rows } = await this.pool.query<{ op: string; prepared_ref: string | null; prepared_digest: string | null }>(
      'SELECT op, prepared_ref, prepared_digest FROM jobs WHERE job_id = $1', [jobId]);
    const r = rows[0];
    return r?.prepared_ref && r.prepared_digest ? { op: r.op, preparedRef: r.prepared_ref, preparedDigest: r.prepared_digest } : undefined;
  }

  /** Keeps a rejected job visible to `eofn status` with its problems. */
  async recordInvalid(jobId: string, op: string, errors: string[]): Promise<void> {
    await this.pool.query(
      `INSERT INTO jobs (job_id, op, status, errors) VALUES ($1, $2, 'INVALID', $3)
       ON CONFLICT (job_id) DO UPDATE SET errors = $3, updated_at = now() WHERE jobs.status = 'INVALID'`,
      [jobId, op, JSON.stringify(errors)]);
  }

  /** Takes the partition for `leaseSeconds`; the attempt number, or undefined when it is not pending (a duplicate). */
  async claimPartition(jobId: string, partitionId: string): Promise<number | undefined> {
    const { rows } = await this.pool.query<{ attempts: number }>(
      `UPDATE partitions SET status = 'RUNNING', attempts = attempts + 1, updated_at = now(),
         lease_until = now() + $3 * interval '1 second'
       WHERE job_id = $1 AND partition_id = $2 AND status = 'PENDING' RETURNING attempts`,
      [jobId, partitionId, this.timings.leaseSeconds]);
    const attempt = rows[0]?.attempts;
    if (attempt !== undefined) this.held.set(`p\0${jobId}\0${partitionId}`, { jobId, partitionId, attempt });
    return attempt;
  }

  /**
   * Marks the part done and counts it. Returns the finalize message when this was the last part, and
   * whether this settled a job with dead partitions as FAILED.
   */
  completePartition(jobId: string, partitionId: string, seconds: number): Promise<{ finalize?: FinalizeMessage; jobFailed: boolean }> {
    this.held.delete(`p\0${jobId}\0${partitionId}`);
    return inTransaction(this.pool, async (c) => {
      const marked = await c.query(
        `UPDATE partitions SET status = 'SUCCEEDED', seconds = $3, last_error = NULL, lease_until = now(), updated_at = now()
         WHERE job_id = $1 AND partition_id = $2 AND status IN ('PENDING', 'RUNNING', 'FAILED')`,
        [jobId, partitionId, seconds]);
      if (!marked.rowCount) return { jobFailed: false };
      const { rows } = await c.query<{ queued: boolean; failed: boolean }>(
        `UPDATE jobs SET done = done + 1, updated_at = now(),
           status = CASE WHEN dead > 0 AND done + 1 + dead >= total THEN 'FAILED' ELSE status END,
           finalize_state = CASE WHEN done + 1 = total AND finalize_state = 'WAITING' THEN 'QUEUED' ELSE finalize_state END,
           finalize_lease_until = CASE WHEN done + 1 = total AND finalize_state = 'WAITING'
             THEN now() + $2 * interval '1 second' ELSE finalize_lease_until END
         WHERE job_id = $1
         RETURNING (done = total AND finalize_state = 'QUEUED') AS queued, (dead > 0 AND done + dead = total) AS failed`,
        [jobId, this.timings.dispatchTimeoutSeconds]);
      const row = rows[0];
      return {
        finalize: row?.queued ? { kind: 'finalize', jobId } : undefined,
        jobFailed: !!row?.failed,
      };
    });
  }

  /**
   * Records a failed attempt. Permanent failures and the last allowed attempt go to `dead_letters`; the
   * result says whether the partition is dead and whether that settled the job as FAILED.
   */
  failPartition(jobId: string, partitionId: string, attempt: number, error: string, permanent: boolean, message: PartitionMessage):
    Promise<{ dead: boolean; jobFailed: boolean }> {
    this.held.delete(`p\0${jobId}\0${partitionId}`);
    return inTransaction(this.pool, async (c) => {
      const { rows } = await c.query<{ status: string; attempts: number }>(
        `UPDATE partitions p SET last_error = $4, lease_until = now(), updated_at = now(),
           status = CASE WHEN $5 OR p.attempts >= j.max_attempts THEN 'DEAD' ELSE 'FAILED' END
         FROM jobs j WHERE j.job_id = p.job_id AND p.job_id = $1 AND p.partition_id = $2
           AND p.status = 'RUNNING' AND p.attempts = $3
         RETURNING p.status, p.attempts`,
        [jobId, partitionId, attempt, error, permanent]);
      if (rows[0]?.status !== 'DEAD') return { dead: false, jobFailed: false };
      const jobFailed = await deadLetter(c, [{ job_id: jobId, partition_id: partitionId, attempts: rows[0].attempts, error, message }]);
      return { dead: true, jobFailed: jobFailed.includes(jobId) };
    });
  }

  /** Takes finalize for a lease; the attempt number, or undefined when it is not queued (a duplicate, or done). */
  async claimFinalize(jobId: string): Promise<number | undefined> {
    const { rows } = await this.pool.query<{ finalize_attempts: number }>(
      `UPDATE jobs SET finalize_state = 'RUNNING', finalize_attempts = finalize_attempts + 1, updated_at = now(),
         finalize_lease_until = now() + $2 * interval '1 second'
       WHERE job_id = $1 AND finalize_state = 'QUEUED' RETURNING finalize_attempts`,
      [jobId, this.timings.leaseSeconds]);
    const attempt = rows[0]?.finalize_attempts;
    if (attempt !== undefined) this.held.set(`f\0${jobId}`, { jobId, attempt });
    return attempt;
  }

  async completeFinalize(jobId: string, attempt: number): Promise<boolean> {
    this.held.delete(`f\0${jobId}`);
    const r = await this.pool.query(
      `UPDATE jobs SET finalize_state = 'DONE', status = 'SUCCEEDED', updated_at = now()
       WHERE job_id = $1 AND finalize_state = 'RUNNING' AND finalize_attempts = $2`, [jobId, attempt]);
    return !!r.rowCount;
  }

  /** A failed merge is retried by the reconciler until the attempt limit, then the job is FAILED. */
  async failFinalize(jobId: string, attempt: number, error: string, permanent: boolean): Promise<boolean> {
    this.held.delete(`f\0${jobId}`);
    const { rows } = await this.pool.query<{ status: string }>(
      `UPDATE jobs SET updated_at = now(), finalize_lease_until = now(),
         finalize_state = CASE WHEN $4 OR finalize_attempts >= max_attempts THEN 'DEAD' ELSE 'QUEUED' END,
         status = CASE WHEN $4 OR finalize_attempts >= max_attempts THEN 'FAILED' ELSE status END,
         errors = CASE WHEN $4 OR finalize_attempts >= max_attempts
           THEN errors || jsonb_build_array('finalize: ' || $3 || ' (after ' || finalize_attempts || ' attempt(s))') ELSE errors END
       WHERE job_id = $1 AND finalize_state = 'RUNNING' AND finalize_attempts = $2 RETURNING status`,
      [jobId, attempt, error, permanent]);
    return rows[0]?.status === 'FAILED';
  }

  /**
   * On SIGTERM: the claims this process holds end at most `seconds` from now. A pod that the kubelet kills
   * at the end of its grace period (30 s on OpenFaaS CE) then has its partition sent again soon after,
   * not a full lease later; one that finishes in time completes as usual.
   */
  async shortenHeldLeases(seconds: number): Promise<number> {
    let shortened = 0;
    for (const { jobId, partitionId, attempt } of this.held.values()) {
      const r = partitionId === undefined
        ? await this.pool.query(
          `UPDATE jobs SET finalize_lease_until = LEAST(finalize_lease_until, now() + $3 * interval '1 second')
           WHERE job_id = $1 AND finalize_state = 'RUNNING' AND finalize_attempts = $2`, [jobId, attempt, seconds])
        : await this.pool.query(
          `UPDATE partitions SET lease_until = LEAST(lease_until, now() + $4 * interval '1 second')
           WHERE job_id = $1 AND partition_id = $2 AND status = 'RUNNING' AND attempts = $3`, [jobId, partitionId, attempt, seconds]);
      shortened += r.rowCount ?? 0;
    }
    return shortened;
  }

  /** Re-dispatches what is due and dead-letters what is past its attempts (see `reconcileDue`); `concurrency` bounds direct dispatch. */
  reconcile(concurrency?: number): Promise<ReconcileResult> {
    return inTransaction(this.pool, (c) => reconcileDue(c, this.timings, deadLetter, concurrency));
  }

  /** Direct dispatch: the partitions that fit the free call slots of their op (see `claimDispatchSlots`). */
  async claimDispatchSlots(concurrency: number): Promise<PartitionMessage[]> {
    const rows = await inTransaction(this.pool, (c) => claimDispatchSlots(c, { concurrency, leaseSeconds: this.timings.dispatchTimeoutSeconds }));
    return rows.map(partitionMessage);
  }

  /** A sent partition no pod took: due again after `seconds`. */
  releaseDispatch(jobId: string, partitionId: string, seconds: number): Promise<boolean> {
    return releaseDispatch(this.pool, jobId, partitionId, seconds);
  }

  /** Puts the job's dead and failed partitions (and a dead finalize) back to pending; returns what to send. */
  redrive(jobId: string): Promise<DispatchMessage[]> {
    return inTransaction(this.pool, (c) => redriveJob(c, jobId, this.timings));
  }

  /** The job's status and counters alone (no partition rows): cheap however many partitions the job has. */
  async progress(jobId: string): Promise<{ status: string; total: number; done: number; dead: number; finalizeState: string } | undefined> {
    const { rows } = await this.pool.query<{ status: string; total: number; done: number; dead: number; finalize_state: string }>(
      'SELECT status, total, done, dead, finalize_state FROM jobs WHERE job_id = $1', [jobId]);
    const r = rows[0];
    return r && { status: r.status, total: r.total, done: r.done, dead: r.dead, finalizeState: r.finalize_state };
  }

  async status(jobId: string): Promise<JobStatusView | undefined> {
    const state = await this.jobState(jobId);
    return state && jobStatusViewOf(state.job, state.partitions);
  }

  /** The `job.json` record of the job as the database knows it. */
  async jobRecord(jobId: string): Promise<JobRecord | undefined> {
    const state = await this.jobState(jobId);
    return state && jobRecordOf(state.job, state.partitions);
  }

  async deadLetters(jobId: string): Promise<{ partition_id: string; attempts: number; error: string; message: PartitionMessage }[]> {
    return (await this.pool.query('SELECT partition_id, attempts, error, message FROM dead_letters WHERE job_id = $1 ORDER BY partition_id', [jobId])).rows;
  }

  async watermark(source: string): Promise<string | undefined> {
    return (await this.pool.query<{ watermark: string }>('SELECT watermark FROM poller_watermarks WHERE source = $1', [source])).rows[0]?.watermark;
  }

  async setWatermark(source: string, watermark: string): Promise<void> {
    await this.pool.query(
      `INSERT INTO poller_watermarks (source, watermark) VALUES ($1, $2)
       ON CONFLICT (source) DO UPDATE SET watermark = GREATEST(poller_watermarks.watermark, $2), updated_at = now()`,
      [source, watermark]);
  }

  /** Where the poller resumes after a truncated search, if it was. */
  async pollCursor(source: string): Promise<string | undefined> {
    return (await this.pool.query<{ resume_from: string }>('SELECT resume_from FROM poller_cursors WHERE source = $1', [source])).rows[0]?.resume_from;
  }

  async setPollCursor(source: string, resumeFrom: string | undefined): Promise<void> {
    if (resumeFrom === undefined) {
      await this.pool.query('DELETE FROM poller_cursors WHERE source = $1', [source]);
      return;
    }
    await this.pool.query(
      `INSERT INTO poller_cursors (source, resume_from) VALUES ($1, $2)
       ON CONFLICT (source) DO UPDATE SET resume_from = $2, updated_at = now()`, [source, resumeFrom]);
  }

  private async jobState(jobId: string): Promise<{ job: JobRow; partitions: PartitionStateRow[] } | undefined> {
    const job = (await this.pool.query<JobRow>('SELECT * FROM jobs WHERE job_id = $1', [jobId])).rows[0];
    if (!job) return undefined;
    const partitions = (await this.pool.query<PartitionStateRow>(
      'SELECT partition_id, status, attempts, last_error, seconds, spec FROM partitions WHERE job_id = $1 ORDER BY partition_id', [jobId])).rows;
    return { job, partitions };
  }
}

export interface DeadPartition {
  job_id: string;
  partition_id: string;
  attempts: number;
  error: string;
  message: PartitionMessage;
}

/**
 * Files dead partitions and counts them on their jobs; a job whose partitions are now all settled is
 * FAILED with one error line per dead partition. Returns the ids of the jobs that failed.
 */
export async function deadLetter(c: pg.PoolClient, dead: DeadPartition[]): Promise<string[]> {
  const failed: string[] = [];
  for (const d of dead) {
    await c.query(
      `INSERT INTO dead_letters (job_id, partition_id, attempts, error, message) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (job_id, partition_id) DO UPDATE SET attempts = $3, error = $4, message = $5, dead_at = now()`,
      [d.job_id, d.partition_id, d.attempts, d.error, JSON.stringify(d.message)]);
    const { rows } = await c.query<{ status: string }>(
      `UPDATE jobs SET dead = dead + 1, updated_at = now(),
         errors = errors || jsonb_build_array('partition ' || $2 || ': ' || $3 || ' (after ' || $4 || ' attempt(s))'),
         status = CASE WHEN done + dead + 1 >= total THEN 'FAILED' ELSE status END
       WHERE job_id = $1 RETURNING status`,
      [d.job_id, d.partition_id, d.error, d.attempts]);
    if (rows[0]?.status === 'FAILED' && !failed.includes(d.job_id)) failed.push(d.job_id);
  }
  return failed;
}
