/**
 * The PostgreSQL job store on its own: retryable failures go back through the reconciler until the attempt
 * limit, then to the dead-letter table; the last lease expiry dead-letters too; finalize is claimed once; a
 * plan-tile call that is lost or dies is sent again until its attempts run out, which fails the job.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresJobStore } from '../../../functions/adapters/openfaas/jobStore.ts';
import type { PartitionMessage } from '../../../functions/core/engine/messages.ts';
import { DATABASE_URL } from './helpers/diasHarness.ts';
import { ensurePostgres } from '../../helpers/ensurePostgres.ts';

const SCHEMA = `eofn_it_store_${process.pid}`;
let store: PostgresJobStore;

function newJob(jobId: string, ids: string[]) {
  return {
    jobId, op: 'tile-reduce', outputHref: `s3://results/${jobId}`, preparedRef: `s3://results/${jobId}/_eofn/prepared.json`,
    preparedDigest: 'd'.repeat(64), hash: `hash-of-${ids.join(',')}`, memoryMb: 1769, partitions: ids.map((id) => ({ id, estimatedPeakBytes: 200 * 2 ** 20 })),
  };
}
/** A job whose planning is fanned out: its tiles come with their `plan-tile` calls. */
function fannedOutJob(jobId: string, tiles: string[]) {
  const { partitions: _, ...job } = newJob(jobId, []);
  return { ...job, tiles, fannedOut: true };
}
const tilePlan = (key: string, ids: string[]) =>
  ({ key, href: `s3://results/_eofn/plan/${key}.json`, digest: key.repeat(64).slice(0, 64), partitions: ids.map((id) => ({ id: `${key}-${id}`, estimatedPeakBytes: 1, tile: key })) });
/** Every lease of the job's tiles ends now (the dispatch timeout here is 30 s). */
const expireTiles = (jobId: string) => store.pool.query(`UPDATE tile_dispatch SET lease_until = now() - interval '1 second' WHERE job_id = $1`, [jobId]);
const planTiles = (dispatch: { kind: string; tile?: string }[]) => dispatch.filter((m) => m.kind === 'plan-tile').map((m) => m.tile).sort();
const message = (jobId: string, id: string): PartitionMessage =>
  ({ kind: 'partition', jobId, op: 'tile-reduce', partition: { id } });

beforeAll(async () => {
  await ensurePostgres();
  store = await PostgresJobStore.open(DATABASE_URL, SCHEMA, { leaseSeconds: 1, dispatchTimeoutSeconds: 30 });
});

afterAll(async () => {
  await store?.close();
  const c = new pg.Client({ connectionString: DATABASE_URL });
  await c.connect();
  await c.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
  await c.end();
});

describe('PostgresJobStore', () => {
  it('retries a failing partition through the reconciler, then dead-letters it at the attempt limit', async () => {
    // Prepare
    expect(await store.recordPlanned(newJob('retry', ['a', 'b']), { maxAttempts: 3 })).toBe('created');
    expect(await store.recordPlanned(newJob('retry', ['a', 'b']), { maxAttempts: 3 })).toBe('same');
    expect(await store.recordPlanned(newJob('retry', ['a', 'c']), { maxAttempts: 3 })).toBe('conflict');
    await store.startPartition('retry', 'b');
    await store.partitionSucceeded('retry', 'b', 0.1);

    // Act: three attempts, each failing with an error a retry could fix.
    const outcomes = [];
    for (let attempt = 1; attempt <= 3; attempt++) {
      expect(await store.startPartition('retry', 'a')).toBe(attempt);
      outcomes.push(await store.partitionFailed('retry', 'a', { attempt, error: `socket hang up #${attempt}`, permanent: false, message: message('retry', 'a') }));
      const pass = await store.reconcile();
      expect(pass.dispatch.length).toBe(attempt < 3 ? 1 : 0);
    }

    // Assess
    expect(outcomes).toEqual([
      { changed: true, dead: false, jobFailed: false }, { changed: true, dead: false, jobFailed: false }, { changed: true, dead: true, jobFailed: true },
    ]);
    expect(await store.deadLetters('retry')).toMatchObject([{ partition_id: 'a', attempts: 3, error: 'socket hang up #3' }]);
    expect(await store.status('retry')).toMatchObject({ status: 'FAILED', done: 1, failed: 1, errors: ['partition a: socket hang up #3 (after 3 attempt(s))'] });
  });

  it('dead-letters a partition whose last allowed lease expired, and ignores a late failure report from the lost worker', async () => {
    // Prepare
    await store.recordPlanned(newJob('lease', ['a']), { maxAttempts: 1 });
    expect(await store.startPartition('lease', 'a')).toBe(1);
    await new Promise((r) => setTimeout(r, 1200));

    // Act
    const pass = await store.reconcile();
    const late = await store.partitionFailed('lease', 'a', { attempt: 1, error: 'late', permanent: false, message: message('lease', 'a') });

    // Assess
    expect(pass).toMatchObject({ dispatch: [], deadLettered: 1, failedJobs: ['lease'] });
    expect(late).toEqual({ changed: false, dead: false, jobFailed: false });
    expect((await store.deadLetters('lease'))[0].error).toMatch(/^lease expired during attempt 1/);
  });

  it('counts completion once and lets one finalize claim win', async () => {
    // Prepare
    await store.recordPlanned(newJob('once', ['a', 'b']), { maxAttempts: 3 });
    await store.startPartition('once', 'a');
    await store.startPartition('once', 'b');

    // Act
    const [ra, rb, dup] = await Promise.all([
      store.partitionSucceeded('once', 'a', 1), store.partitionSucceeded('once', 'b', 1), store.partitionSucceeded('once', 'b', 1),
    ]);
    const claims = await Promise.all([store.startFinalize('once'), store.startFinalize('once'), store.startFinalize('once')]);

    // Assess
    expect([ra.finalize, rb.finalize, dup.finalize].filter(Boolean)).toHaveLength(1);
    expect(claims.filter((c) => c.claimed)).toEqual([{ claimed: true, claim: 1 }]);
    expect(await store.finishJob('once', 1, 'SUCCEEDED', [])).toBe(true);
    expect(await store.status('once')).toMatchObject({ status: 'SUCCEEDED', done: 2 });
  });

  it('sends a lost or dead plan-tile call again, fails the job naming the tile past its attempts, and redrive sends its unplanned tiles', async () => {
    // Prepare: three tiles; A planned (a duplicate finds it claimed), B's call lost, C's function dies planning
    expect(await store.recordPlanned(fannedOutJob('tiles', ['A', 'B', 'C']), { maxAttempts: 3 })).toBe('created');
    expect(await store.recordPlanned(fannedOutJob('tiles', ['A', 'B', 'C']), { maxAttempts: 3 })).toBe('created');
    const rows = async () => (await store.pool.query('SELECT tile, state, attempts FROM tile_dispatch WHERE job_id = $1 ORDER BY tile', ['tiles'])).rows;
    const written = await rows();
    const claimA = await store.startPlanTile('tiles', 'A');
    const duplicateA = await store.startPlanTile('tiles', 'A');
    await store.recordTile('tiles', tilePlan('A', ['p0']));
    expect(await store.startPlanTile('tiles', 'C')).toBe(1);
    const early = await store.reconcile();

    // Act: the leases run out; C dies twice more (once with an error a retry may fix)
    await expireTiles('tiles');
    const lost = await store.reconcile();
    expect(await store.startPlanTile('tiles', 'C')).toBe(2);
    await store.planTileAttemptFailed('tiles', 'C', 2, 'socket hang up');
    const retried = await store.reconcile();
    expect(await store.startPlanTile('tiles', 'C')).toBe(3);
    await expireTiles('tiles');
    const dead = await store.reconcile();
    const afterDeath = await store.reconcile();
    const failed = await store.status('tiles');
    const redriven = await store.redrive('tiles');

    // Assess
    expect(written).toEqual(['A', 'B', 'C'].map((tile) => ({ tile, state: 'SENT', attempts: 0 })));
    expect([claimA, duplicateA]).toEqual([1, undefined]);
    expect(planTiles(early.dispatch)).toEqual([]);
    expect(planTiles(lost.dispatch)).toEqual(['B', 'C']);
    expect(planTiles(retried.dispatch)).toEqual(['C']);
    expect(dead).toMatchObject({ failedJobs: ['tiles'] });
    expect(planTiles(dead.dispatch)).toEqual([]);
    expect(afterDeath.failedJobs).toEqual([]);
    expect(failed).toMatchObject({ status: 'FAILED', tiles: { planned: 1, total: 3 } });
    expect(failed!.errors).toEqual([expect.stringMatching(/^plan-tile for tile C did not complete in 3 attempt\(s\): the function timed out, ran out of memory or crashed .*eofn redrive tiles --backend dias/)]);
    expect(planTiles(redriven)).toEqual(['B', 'C']);
    expect(redriven.filter((m) => m.kind === 'finalize')).toEqual([]);
    expect(await store.progress('tiles')).toMatchObject({ status: 'RUNNING', finalizeState: 'WAITING' });
    expect(await rows()).toEqual([{ tile: 'B', state: 'SENT', attempts: 0 }, { tile: 'C', state: 'SENT', attempts: 0 }]);
  });

  it('names the last error of a tile whose every attempt failed, and a permanent failure leaves nothing to send', async () => {
    // Prepare
    await store.recordPlanned(fannedOutJob('tiles-err', ['A', 'B']), { maxAttempts: 1 });
    expect(await store.startPlanTile('tiles-err', 'A')).toBe(1);
    await store.planTileAttemptFailed('tiles-err', 'A', 1, 'socket hang up');
    await store.recordPlanned(fannedOutJob('tiles-bad', ['A', 'B']), { maxAttempts: 3 });
    await store.startPlanTile('tiles-bad', 'A');
    await store.planTileFailed('tiles-bad', 'A', 'tile A: the plan needs 9 partitions, more than the limit of 5');
    await expireTiles('tiles-bad');

    // Act
    const pass = await store.reconcile();

    // Assess
    expect(pass.failedJobs).toEqual(['tiles-err']);
    expect(planTiles(pass.dispatch.filter((m) => 'jobId' in m && m.jobId === 'tiles-bad'))).toEqual([]);
    expect((await store.status('tiles-err'))!.errors).toEqual([expect.stringMatching(/^plan-tile for tile A did not complete in 1 attempt\(s\): socket hang up;/)]);
    expect(await store.status('tiles-bad')).toMatchObject({ status: 'FAILED', errors: ['tile A: the plan needs 9 partitions, more than the limit of 5'] });
  });
});
