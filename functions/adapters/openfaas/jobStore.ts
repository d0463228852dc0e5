/**
 * Job and partition state in PostgreSQL. A partition is claimed with a lease before it runs; completion is
 * counted in the same transaction that queues finalize, once, when the last part lands. A failure either
 * leaves the partition due for a retry (the reconciler re-dispatches it) or, past the attempt limit or on
 * bad input, moves it to `dead_letters`; a job whose partitions are all settled with some dead is FAILED.
 *
 * @example
 * const store = await PostgresJobStore.open(dsn, 'eofn', { leaseSeconds: 960, dispatchTimeoutSeconds: 3600 });
 * const attempt = await store.startPartition(jobId, partitionId);
 */
import type pg from 'pg';
import type { JobRecord } from '../../core/engine/jobRecord.ts';
import type { JobMessage, PartitionMessage } from '../../core/engine/messages.ts';
import type { StoredRef } from '../../core/engine/storedJob.ts';
import type {
  PlannedTile, TileOutcome, JobStatusView, AcceptedJob, Failure, FinalizeClaim, JobStateStore, NewJob, PartitionFailure, PartitionOutcome, PlannedJob, RecordOptions, RecordOutcome,
} from '../../core/lifecycle/index.ts';
import { inTransaction, openPool } from './pgPool.ts';
import { reconcileDue, redriveJob, type DeadPartition, type ReconcileResult, type StoreTimings } from './recoveryQueries.ts';
import { jobRecordOf, jobStatusViewOf, type JobRow, type PartitionStateRow } from './jobStatusView.ts';
import { partitionMessage, type DispatchMessage } from './dispatchMessage.ts';
import { claimDispatchSlots, makeDue, releaseDispatch } from './dispatchQueries.ts';
import { insertPartitions } from './insertPartitions.ts';
import { claimTile, recordTileDispatch, tileAttemptFailed } from './tileDispatchQueries.ts';

/** Attempts per partition and finalize when the job does not say (the column's default). */
const DEFAULT_MAX_ATTEMPTS = 3;

export class PostgresJobStore implements JobStateStore {
  readonly pool: pg.Pool;
  readonly timings: StoreTimings;
  /** Claims this process holds (partition or finalize, with the attempt), for shortenHeldLeases. */
  private readonly held = new Map<string, { jobId: string; partitionId?: string; attempt: number }>();

  constructor(pool: pg.Pool, timings: StoreTimings) {
    this.pool = pool;
    this.timings = timings;
  }

  /** Connects, applies pending migrations, and returns a store for the schema. */
  static async open(databaseUrl: string, schema: string, timings: StoreTimings): Promise<PostgresJobStore> {
    return new PostgresJobStore(await openPool(databaseUrl, schema), timings);
  }

  close(): Promise<void> {
    return this.pool.end();
  }

  /**
   * Records a job and its partitions as dispatched (RUNNING: the partitions wait here, not in a queue):
   * 'created'; 'same' when the job was already known with the same content (a resubmission), 'conflict'
   * when another job holds the id.
   */
  recordPlanned(job: NewJob, options: RecordOptions = {}): Promise<RecordOutcome> {
    return inTransaction(this.pool, async (c) => {
      const partitions = job.partitions ?? [];
      const created = await c.query(
        `INSERT INTO jobs (job_id, op, status, output_href, prepared_ref, prepared_digest, job_hash, memory_mb, total, max_attempts, errors, tiles)
         VALUES ($1, $2, 'RUNNING', $3, $4, $5, $6, $7, $8, $9, '[]', $10)
         ON CONFLICT (job_id) DO UPDATE SET op = $2, status = 'RUNNING', output_href = $3, prepared_ref = $4,
           prepared_digest = $5, job_hash = $6, memory_mb = $7, total = $8, max_attempts = $9, errors = '[]', tiles = $10, updated_at = now()
         WHERE jobs.status = 'INVALID'
         RETURNING job_id`,
        [job.jobId, job.op, job.outputHref, job.preparedRef, job.preparedDigest, job.hash, job.memoryMb, partitions.length, options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS, job.tiles?.length ?? 0]);
      if (!created.rowCount) {
        const known = await this.acceptedJob(job.jobId);
        if (known?.hash !== job.hash) return 'conflict';
        // A multi-tile job whose tiles are not all recorded: its jobs stage was interrupted, go on with it.
        return known.settledIn ? 'same' : 'created';
      }
      await insertPartitions(c, job.jobId, partitions, options.dueInSeconds ?? this.timings.dispatchTimeoutSeconds);
      // Planning fanned out: a lease per tile, so that a plan-tile call that is lost is sent again.
      if (job.fannedOut && job.tiles) await recordTileDispatch(c, job.jobId, job.tiles, this.timings.dispatchTimeoutSeconds);
      return 'created';
    });
  }

  /**
   * Records a tile's plan and its partitions in one transaction, once (a duplicate finds its row): its
   * partitions join `total`, the tile counts planned, and a tile that completes the job (no partitions of
   * its own, every other one settled) queues its finalize or settles it FAILED.
   */
  recordTile(jobId: string, tile: PlannedTile, options: RecordOptions = {}): Promise<TileOutcome> {
    return inTransaction(this.pool, async (c) => {
      await c.query('DELETE FROM tile_dispatch WHERE job_id = $1 AND tile = $2', [jobId, tile.key]);
      const inserted = await c.query(
        `INSERT INTO job_tiles (job_id, tile, plan_ref, plan_digest, partitions) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (job_id, tile) DO NOTHING RETURNING tile`,
        [jobId, tile.key, tile.href, tile.digest, tile.partitions.length]);
      if (!inserted.rowCount) {
        const { rows } = await c.query<{ plan_digest: string; sent: boolean }>('SELECT plan_digest, sent FROM job_tiles WHERE job_id = $1 AND tile = $2', [jobId, tile.key]);
        // Plans are deterministic: another digest means the inputs changed under the job.
        if (rows[0]?.plan_digest !== tile.digest) throw new Error(`tile ${tile.key} of job ${jobId} was planned before with other bytes; refusing to count it twice`);
        return { changed: false, sent: rows[0].sent };
      }
      await insertPartitions(c, jobId, tile.partitions, options.dueInSeconds ?? this.timings.dispatchTimeoutSeconds);
      const { rows } = await c.query<{ queued: boolean }>(
        `UPDATE jobs SET total = total + $2, tiles_planned = tiles_planned + 1, updated_at = now(),
           status = CASE WHEN dead > 0 AND done + dead = total + $2 AND tiles_planned + 1 >= tiles THEN 'FAILED' ELSE status END,
           finalize_state = CASE WHEN dead = 0 AND done = total + $2 AND tiles_planned + 1 >= tiles AND finalize_state = 'WAITING' THEN 'QUEUED' ELSE finalize_state END,
           finalize_lease_until = CASE WHEN dead = 0 AND done = total + $2 AND tiles_planned + 1 >= tiles AND finalize_state = 'WAITING'
             THEN now() + $3 * interval '1 second' ELSE finalize_lease_until END
         WHERE job_id = $1
         RETURNING (finalize_state = 'QUEUED' AND done = total AND tiles_planned >= tiles) AS queued`,
        [jobId, tile.partitions.length, this.timings.dispatchTimeoutSeconds]);
      if (!rows.length) throw new Error(`job ${jobId} is not known`);
      return { changed: true, sent: false, ...(rows[0].queued ? { finalize: true } : {}) };
    });
  }

  async tileSent(jobId: string, key: string): Promise<void> {
    await this.pool.query('UPDATE job_tiles SET sent = true, updated_at = now() WHERE job_id = $1 AND tile = $2', [jobId, key]);
  }

  async plannedTile(jobId: string, key: string): Promise<StoredRef | undefined> {
    const { rows } = await this.pool.query<{ plan_ref: string; plan_digest: string }>('SELECT plan_ref, plan_digest FROM job_tiles WHERE job_id = $1 AND tile = $2', [jobId, key]);
    return rows[0] && { href: rows[0].plan_ref, digest: rows[0].plan_digest };
  }

  /** The job is FAILED with the reason; its merge will not run (`finalize_state` DEAD). */
  async planTileFailed(jobId: string, key: string, error: string): Promise<boolean> {
    await this.pool.query(`UPDATE tile_dispatch SET state = 'DEAD', last_error = $3, updated_at = now() WHERE job_id = $1 AND tile = $2`, [jobId, key, error]);
    const r = await this.pool.query(
      `UPDATE jobs SET status = 'FAILED', finalize_state = 'DEAD', errors = errors || jsonb_build_array($2::text), updated_at = now()
       WHERE job_id = $1 AND status IN ('PLANNED', 'RUNNING')`, [jobId, error]);
    return !!r.rowCount;
  }

  /**
   * A `plan-tile` call takes its tile for a lease before planning it, so that the reconciler sends the call
   * again when this function dies; the attempt number, or undefined while another call holds the tile.
   */
  startPlanTile(jobId: string, key: string): Promise<number | undefined> {
    return claimTile(this.pool, jobId, key, this.timings.leaseSeconds);
  }

  /** A call the gateway refused: its work is due at the reconciler's next pass (`dueOnRefusal`). */
  makeDue(message: DispatchMessage): Promise<void> {
    return makeDue(this.pool, message);
  }

  /** The attempt at planning the tile failed for a reason a retry may fix: sent again at the next reconcile pass. */
  planTileAttemptFailed(jobId: string, key: string, attempt: number, error: string): Promise<void> {
    return tileAttemptFailed(this.pool, jobId, key, attempt, error);
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

  /** A valid job known under `jobId` (not INVALID); its partitions are recorded with it, so it is settled in. */
  async acceptedJob(jobId: string): Promise<AcceptedJob | undefined> {
    const { rows } = await this.pool.query<{ job_hash: string | null; settled_in: boolean }>(
      `SELECT job_hash, tiles_planned >= tiles AS settled_in FROM jobs WHERE job_id = $1 AND status <> 'INVALID'`, [jobId]);
    // A job recorded before hashes were kept matches nothing: its id is taken.
    return rows.length ? { hash: rows[0].job_hash ?? 'unknown', settledIn: rows[0].settled_in } : undefined;
  }

  /** Nothing to do: a job is RUNNING from `recordPlanned` on, its partitions recorded with it. */
  async startJob(_jobId: string): Promise<void> {}

  async plannedJob(jobId: string): Promise<PlannedJob | undefined> {
    const { rows } = await this.pool.query<{ op: string; status: PlannedJob['status']; prepared_ref: string | null; prepared_digest: string | null }>(
      'SELECT op, status, prepared_ref, prepared_digest FROM jobs WHERE job_id = $1', [jobId]);
    const r = rows[0];
    return r?.prepared_ref && r.prepared_digest ? { op: r.op, status: r.status, preparedRef: r.prepared_ref, preparedDigest: r.prepared_digest } : undefined;
  }

  /** Keeps a rejected job visible to `eofn status` with its problems. */
  async recordInvalid(jobId: string, op: string, errors: string[]): Promise<void> {
    await this.pool.query(
      `INSERT INTO jobs (job_id, op, status, errors) VALUES ($1, $2, 'INVALID', $3)
       ON CONFLICT (job_id) DO UPDATE SET errors = $3, updated_at = now() WHERE jobs.status = 'INVALID'`,
      [jobId, op, JSON.stringify(errors)]);
  }

  /**
   * Takes the partition until `settleBy` (epoch seconds; default `leaseSeconds` from now); the attempt
   * number, or undefined when it is not pending (a duplicate).
   */
  async startPartition(jobId: string, partitionId: string, settleBy?: number): Promise<number | undefined> {
    const { rows } = await this.pool.query<{ attempts: number }>(
      `UPDATE partitions SET status = 'RUNNING', attempts = attempts + 1, updated_at = now(),
         lease_until = COALESCE(to_timestamp($4), now() + $3 * interval '1 second')
       WHERE job_id = $1 AND partition_id = $2 AND status = 'PENDING' RETURNING attempts`,
      [jobId, partitionId, this.timings.leaseSeconds, settleBy ?? null]);
    const attempt = rows[0]?.attempts;
    if (attempt !== undefined) this.held.set(`p\0${jobId}\0${partitionId}`, { jobId, partitionId, attempt });
    return attempt;
  }

  /**
   * Marks the part done and counts it, queueing finalize (in the same transaction) when it was the last
   * part; or settles a job with dead partitions as FAILED when it was the last one outstanding.
   */
  partitionSucceeded(jobId: string, partitionId: string, seconds: number): Promise<PartitionOutcome> {
    this.held.delete(`p\0${jobId}\0${partitionId}`);
    return inTransaction(this.pool, async (c) => {
      const marked = await c.query(
        `UPDATE partitions SET status = 'SUCCEEDED', seconds = $3, last_error = NULL, lease_until = now(), updated_at = now()
         WHERE job_id = $1 AND partition_id = $2 AND status IN ('PENDING', 'RUNNING', 'FAILED')`,
        [jobId, partitionId, seconds]);
      if (!marked.rowCount) return { changed: false };
      const { rows } = await c.query<{ queued: boolean; failed: boolean }>(
        `UPDATE jobs SET done = done + 1, updated_at = now(),
           status = CASE WHEN dead > 0 AND done + 1 + dead >= total AND tiles_planned >= tiles THEN 'FAILED' ELSE status END,
           finalize_state = CASE WHEN done + 1 = total AND tiles_planned >= tiles AND finalize_state = 'WAITING' THEN 'QUEUED' ELSE finalize_state END,
           finalize_lease_until = CASE WHEN done + 1 = total AND tiles_planned >= tiles AND finalize_state = 'WAITING'
             THEN now() + $2 * interval '1 second' ELSE finalize_lease_until END
         WHERE job_id = $1
         RETURNING (done = total AND finalize_state = 'QUEUED') AS queued, (dead > 0 AND done + dead = total AND tiles_planned >= tiles) AS failed`,
        [jobId, this.timings.dispatchTimeoutSeconds]);
      const row = rows[0];
      return { changed: true, finalize: !!row?.queued, jobFailed: !!row?.failed };
    });
  }

  /**
   * Records a failed attempt (the current one only). Permanent failures and the last allowed attempt go to
   * `dead_letters`; the result says whether the partition is dead and whether that settled the job as FAILED.
   * A FAILED partition is sent again by the reconciler once its lease has run out.
   */
  partitionFailed(jobId: string, partitionId: string, failure: PartitionFailure): Promise<PartitionOutcome> {
    const { attempt, error } = failure;
    const permanent = !!failure.permanent || !!failure.lastAttempt;
    const message = failure.message ?? { kind: 'partition', jobId, op: 'unknown', partition: { id: partitionId } };
    this.held.delete(`p\0${jobId}\0${partitionId}`);
    return inTransaction(this.pool, async (c) => {
      const { rows } = await c.query<{ status: string; attempts: number }>(
        `UPDATE partitions p SET last_error = $4, lease_until = now(), updated_at = now(),
           status = CASE WHEN $5 OR p.attempts >= j.max_attempts THEN 'DEAD' ELSE 'FAILED' END
         FROM jobs j WHERE j.job_id = p.job_id AND p.job_id = $1 AND p.partition_id = $2
           AND p.status = 'RUNNING' AND p.attempts = $3
         RETURNING p.status, p.attempts`,
        [jobId, partitionId, attempt ?? null, error, permanent]);
      if (rows[0]?.status !== 'DEAD') return { changed: rows.length > 0, dead: false, jobFailed: false };
      const jobFailed = await deadLetter(c, [{ job_id: jobId, partition_id: partitionId, attempts: rows[0].attempts, error, message }]);
      return { changed: true, dead: true, jobFailed: jobFailed.includes(jobId) };
    });
  }

  /** Takes finalize for a lease (the claim is the attempt number); `done` when it is not queued (a duplicate, or done). */
  async startFinalize(jobId: string): Promise<FinalizeClaim> {
    const { rows } = await this.pool.query<{ finalize_attempts: number }>(
      `UPDATE jobs SET finalize_state = 'RUNNING', finalize_attempts = finalize_attempts + 1, updated_at = now(),
         finalize_lease_until = now() + $2 * interval '1 second'
       WHERE job_id = $1 AND finalize_state = 'QUEUED' RETURNING finalize_attempts`,
      [jobId, this.timings.leaseSeconds]);
    const attempt = rows[0]?.finalize_attempts;
    if (attempt === undefined) return { claimed: false, reason: 'done' };
    this.held.set(`f\0${jobId}`, { jobId, attempt });
    return { claimed: true, claim: attempt };
  }

  /** Ends the merge of the current finalize attempt; a FAILED outcome adds its errors to the job's. */
  async finishJob(jobId: string, attempt: number, status: 'SUCCEEDED' | 'FAILED', errors: string[]): Promise<boolean> {
    this.held.delete(`f\0${jobId}`);
    const r = await this.pool.query(
      `UPDATE jobs SET finalize_state = 'DONE', status = $3, updated_at = now(),
         errors = CASE WHEN $3 = 'FAILED' THEN errors || $4::jsonb ELSE errors END
       WHERE job_id = $1 AND finalize_state = 'RUNNING' AND finalize_attempts = $2`, [jobId, attempt, status, JSON.stringify(errors)]);
    return !!r.rowCount;
  }

  /** A failed merge is retried by the reconciler until the attempt limit (or at once FAILED when permanent). */
  async finalizeFailed(jobId: string, attempt: number | undefined, failure: Failure): Promise<boolean> {
    this.held.delete(`f\0${jobId}`);
    const { error } = failure;
    const permanent = !!failure.permanent || !!failure.lastAttempt;
    const { rows } = await this.pool.query<{ status: string }>(
      `UPDATE jobs SET updated_at = now(), finalize_lease_until = now(),
         finalize_state = CASE WHEN $4 OR finalize_attempts >= max_attempts THEN 'DEAD' ELSE 'QUEUED' END,
         status = CASE WHEN $4 OR finalize_attempts >= max_attempts THEN 'FAILED' ELSE status END,
         errors = CASE WHEN $4 OR finalize_attempts >= max_attempts
           THEN errors || jsonb_build_array('finalize: ' || $3 || ' (after ' || finalize_attempts || ' attempt(s))') ELSE errors END
       WHERE job_id = $1 AND finalize_state = 'RUNNING' AND finalize_attempts = $2 RETURNING status`,
      [jobId, attempt ?? null, error, permanent]);
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
  async progress(jobId: string): Promise<{ status: string; total: number; done: number; dead: number; finalizeState: string; tiles: number; tilesPlanned: number } | undefined> {
    const { rows } = await this.pool.query<{ status: string; total: number; done: number; dead: number; finalize_state: string; tiles: number; tiles_planned: number }>(
      'SELECT status, total, done, dead, finalize_state, tiles, tiles_planned FROM jobs WHERE job_id = $1', [jobId]);
    const r = rows[0];
    return r && { status: r.status, total: r.total, done: r.done, dead: r.dead, finalizeState: r.finalize_state, tiles: r.tiles, tilesPlanned: r.tiles_planned };
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
         status = CASE WHEN done + dead + 1 >= total AND tiles_planned >= tiles THEN 'FAILED' ELSE status END
       WHERE job_id = $1 RETURNING status`,
      [d.job_id, d.partition_id, d.error, d.attempts]);
    if (rows[0]?.status === 'FAILED' && !failed.includes(d.job_id)) failed.push(d.job_id);
  }
  return failed;
}
