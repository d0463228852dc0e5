/**
 * Records a job's planned partitions as multi-row `INSERT … ON CONFLICT DO NOTHING` statements of
 * `rows` partitions each, so a plan of 100,000 partitions is 100 statements, none of which carries the
 * whole plan as one parameter, and a repeated insert (a resumed submission) changes nothing.
 *
 * @example
 * await inTransaction(pool, (c) => insertPartitions(c, 'job-1', plan.partitions, 0));
 */
import type pg from 'pg';
import type { PartitionSpec } from '../../core/plan/types.ts';

/** Partitions per statement: 2 parameters each, far below PostgreSQL's 65,535. */
export const PARTITION_INSERT_ROWS = 1000;

/** Inserts the partitions due in `dueInSeconds`; returns how many rows were new. */
export async function insertPartitions(c: pg.PoolClient, jobId: string, partitions: PartitionSpec[], dueInSeconds: number, rows = PARTITION_INSERT_ROWS): Promise<number> {
  let inserted = 0;
  for (let i = 0; i < partitions.length; i += rows) {
    const chunk = partitions.slice(i, i + rows);
    const values = chunk.map((_, j) => `($1, $${3 + 2 * j}, $${4 + 2 * j}::jsonb, now() + $2 * interval '1 second')`).join(', ');
    const r = await c.query(
      `INSERT INTO partitions (job_id, partition_id, spec, lease_until) VALUES ${values} ON CONFLICT (job_id, partition_id) DO NOTHING`,
      [jobId, dueInSeconds, ...chunk.flatMap((p) => [p.id, JSON.stringify(p)])]);
    inserted += r.rowCount ?? 0;
  }
  return inserted;
}
