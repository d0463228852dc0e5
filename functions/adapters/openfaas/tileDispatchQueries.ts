/**
 * The `plan-tile` calls of a job whose planning is fanned out, kept in PostgreSQL (`tile_dispatch`) until each
 * tile's plan is recorded: a call lost on the way (dispatch error, queue loss) or a function that died
 * planning (timeout, out of memory, crash) leaves a row whose lease runs out, and the reconciler sends the
 * call again; past the attempt limit the job is FAILED naming the tile. Rows are locked with SKIP LOCKED, so
 * two reconcilers never send the same tile twice.
 *
 * @example
 * const attempt = await claimTile(pool, jobId, '33TWM', timings.leaseSeconds); // undefined: another call plans it
 */
import type pg from 'pg';
import type { PlanTileMessage } from '../../core/engine/messages.ts';
import type { StoreTimings } from './storeTimings.ts';

/** Written with the job: one row per tile, due again after `seconds` unless a call claims it or records its plan. */
export async function recordTileDispatch(c: pg.PoolClient, jobId: string, tiles: string[], seconds: number): Promise<void> {
  await c.query(
    `INSERT INTO tile_dispatch (job_id, tile, lease_until) SELECT $1, unnest($2::text[]), now() + $3 * interval '1 second'
     ON CONFLICT (job_id, tile) DO NOTHING`,
    [jobId, tiles, seconds]);
}

/**
 * Takes the tile for `leaseSeconds` before it is planned; the attempt number, or undefined while another call
 * holds it (a duplicate delivery). A tile without a row (a job recorded before tile leases were kept) gets one.
 */
export async function claimTile(c: pg.Pool | pg.PoolClient, jobId: string, key: string, leaseSeconds: number): Promise<number | undefined> {
  const { rows } = await c.query<{ attempts: number }>(
    `INSERT INTO tile_dispatch (job_id, tile, state, attempts, lease_until) VALUES ($1, $2, 'PLANNING', 1, now() + $3 * interval '1 second')
     ON CONFLICT (job_id, tile) DO UPDATE SET state = 'PLANNING', attempts = tile_dispatch.attempts + 1, last_error = NULL,
       lease_until = now() + $3 * interval '1 second', updated_at = now()
     WHERE tile_dispatch.state = 'SENT' OR (tile_dispatch.state = 'PLANNING' AND tile_dispatch.lease_until < now())
     RETURNING attempts`,
    [jobId, key, leaseSeconds]);
  return rows[0]?.attempts;
}

/** The current attempt failed for a reason a retry may fix: due at the next reconcile pass, its error kept. */
export async function tileAttemptFailed(c: pg.Pool | pg.PoolClient, jobId: string, key: string, attempt: number, error: string): Promise<void> {
  await c.query(
    `UPDATE tile_dispatch SET lease_until = now(), last_error = $4, updated_at = now()
     WHERE job_id = $1 AND tile = $2 AND state = 'PLANNING' AND attempts = $3`,
    [jobId, key, attempt, error]);
}

/**
 * Tiles whose last allowed attempt ran out fail their job with the reason; tiles whose call was lost or whose
 * attempt died are sent again while the job runs and attempts are left.
 */
export async function reconcileTiles(c: pg.PoolClient, timings: StoreTimings): Promise<{ again: PlanTileMessage[]; failed: string[] }> {
  const dead = await c.query<{ job_id: string; tile: string; attempts: number; last_error: string | null }>(
    `WITH due AS (
       SELECT t.job_id, t.tile FROM tile_dispatch t JOIN jobs j USING (job_id)
       WHERE t.state = 'PLANNING' AND t.lease_until < now() AND t.attempts >= j.max_attempts
       FOR UPDATE OF t SKIP LOCKED)
     UPDATE tile_dispatch t SET state = 'DEAD', updated_at = now() FROM due WHERE t.job_id = due.job_id AND t.tile = due.tile
     RETURNING t.job_id, t.tile, t.attempts, t.last_error`);
  const failed: string[] = [];
  for (const d of dead.rows) {
    const cause = d.last_error ?? 'the function timed out, ran out of memory or crashed (see the eofn-jobs log)';
    const reason = `plan-tile for tile ${d.tile} did not complete in ${d.attempts} attempt(s): ${cause}; \`eofn redrive ${d.job_id} --backend dias\` sends it again`;
    const { rows } = await c.query<{ failed: boolean }>(
      `UPDATE jobs SET errors = errors || jsonb_build_array($2::text), updated_at = now(),
         finalize_state = CASE WHEN status IN ('PLANNED', 'RUNNING') THEN 'DEAD' ELSE finalize_state END,
         status = CASE WHEN status IN ('PLANNED', 'RUNNING') THEN 'FAILED' ELSE status END
       WHERE job_id = $1 RETURNING (status = 'FAILED') AS failed`,
      [d.job_id, reason]);
    if (rows[0]?.failed && !failed.includes(d.job_id)) failed.push(d.job_id);
  }
  const again = await c.query<{ job_id: string; tile: string }>(
    `WITH due AS (
       SELECT t.job_id, t.tile FROM tile_dispatch t JOIN jobs j USING (job_id)
       WHERE t.state IN ('SENT', 'PLANNING') AND t.lease_until < now() AND t.attempts < j.max_attempts AND j.status = 'RUNNING'
         AND NOT EXISTS (SELECT 1 FROM job_tiles jt WHERE jt.job_id = t.job_id AND jt.tile = t.tile)
       FOR UPDATE OF t SKIP LOCKED)
     UPDATE tile_dispatch t SET state = 'SENT', lease_until = now() + $1 * interval '1 second', updated_at = now()
     FROM due WHERE t.job_id = due.job_id AND t.tile = due.tile
     RETURNING t.job_id, t.tile`,
    [timings.dispatchTimeoutSeconds]);
  return { again: again.rows.map((r) => ({ kind: 'plan-tile', jobId: r.job_id, tile: r.tile })), failed };
}

/** `eofn redrive`: every tile of the job not planned yet is sent again with its attempts reset. */
export async function redriveTiles(c: pg.PoolClient, jobId: string, timings: StoreTimings): Promise<PlanTileMessage[]> {
  const { rows } = await c.query<{ tile: string }>(
    `UPDATE tile_dispatch t SET state = 'SENT', attempts = 0, last_error = NULL, updated_at = now(), lease_until = now() + $2 * interval '1 second'
     FROM jobs j WHERE j.job_id = t.job_id AND t.job_id = $1 AND j.status IN ('FAILED', 'RUNNING')
     RETURNING t.tile`,
    [jobId, timings.dispatchTimeoutSeconds]);
  return rows.map((r) => ({ kind: 'plan-tile', jobId, tile: r.tile }));
}
