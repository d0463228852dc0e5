/**
 * Direct dispatch's queue in PostgreSQL: due partitions are handed out only up to the free call slots of
 * their op (sent or running count), oldest job first; a released partition is due again later; two
 * dispatchers at once never exceed the bound; the leases this process holds end soon after SIGTERM.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresJobStore } from '../../../functions/adapters/openfaas/jobStore.ts';
import { DATABASE_URL } from './helpers/diasHarness.ts';

const SCHEMA = `eofn_it_slots_${process.pid}`;
let store: PostgresJobStore;
let other: PostgresJobStore;

function newJob(jobId: string, n: number, op = 'tile-reduce') {
  return {
    jobId, op, outputHref: `s3://results/${jobId}`, preparedRef: `s3://results/${jobId}/_eofn/prepared.json`,
    preparedDigest: 'd'.repeat(64), hash: `hash-of-${jobId}`, memoryMb: 1769,
    partitions: Array.from({ length: n }, (_, i) => ({ id: `p${i}`, estimatedPeakBytes: 1 })),
  };
}

const leaseLeft = async (jobId: string, id: string) => Number((await store.pool.query(
  `SELECT extract(epoch FROM lease_until - now()) AS s FROM partitions WHERE job_id = $1 AND partition_id = $2`, [jobId, id])).rows[0].s);

beforeAll(async () => {
  store = await PostgresJobStore.open(DATABASE_URL, SCHEMA, { leaseSeconds: 975, dispatchTimeoutSeconds: 3600 });
  other = await PostgresJobStore.open(DATABASE_URL, SCHEMA, { leaseSeconds: 975, dispatchTimeoutSeconds: 3600 });
});

afterAll(async () => {
  await store?.close();
  await other?.close();
  const c = new pg.Client({ connectionString: DATABASE_URL });
  await c.connect();
  await c.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
  await c.end();
});

describe('direct dispatch slots', () => {
  it('hands out at most the free slots per op, oldest job first, and fills a slot a finished partition frees', async () => {
    // Prepare
    const direct = { maxAttempts: 3, dueInSeconds: 0 };
    await store.recordPlanned(newJob('first', 3), direct);
    await store.recordPlanned(newJob('second', 3), direct);
    await store.recordPlanned(newJob('merge', 2, 'composite'), direct);

    // Act
    const wave = await store.claimDispatchSlots(2);
    const none = await store.claimDispatchSlots(2);
    expect(await store.startPartition('first', 'p0')).toBe(1);
    await store.partitionSucceeded('first', 'p0', 1);
    const next = await store.claimDispatchSlots(2);

    // Assess
    expect(wave.map((m) => `${m.jobId}/${m.partition.id}`).sort()).toEqual(['first/p0', 'first/p1', 'merge/p0', 'merge/p1']);
    expect(none).toEqual([]);
    expect(next.map((m) => `${m.jobId}/${m.partition.id}`)).toEqual(['first/p2']);
  });

  it('a released partition is due again after the delay; two dispatchers at once stay within the bound', async () => {
    // Prepare: first/p1 was sent but no pod took it.
    expect(await store.releaseDispatch('first', 'p1', 0)).toBe(true);

    // Act
    const [a, b] = await Promise.all([store.claimDispatchSlots(2), other.claimDispatchSlots(2)]);

    // Assess: one slot was free (first/p2 is still sent): exactly one of them takes first/p1.
    expect([...a, ...b].map((m) => `${m.jobId}/${m.partition.id}`)).toEqual(['first/p1']);
    expect(await store.releaseDispatch('first', 'p0', 0)).toBe(false); // done: not pending
  });

  it('at SIGTERM the leases this process holds end soon; a partition that then completes counts once', async () => {
    // Prepare
    expect(await store.startPartition('first', 'p1')).toBe(1);
    expect(await leaseLeft('first', 'p1')).toBeGreaterThan(900);

    // Act
    const shortened = await store.shortenHeldLeases(40);

    // Assess
    expect(shortened).toBe(1);
    const left = await leaseLeft('first', 'p1');
    expect(left).toBeGreaterThan(30);
    expect(left).toBeLessThanOrEqual(40);
    await store.partitionSucceeded('first', 'p1', 1);
    expect(await store.shortenHeldLeases(40)).toBe(0);
    expect((await store.status('first'))!.done).toBe(2);
  });
});
