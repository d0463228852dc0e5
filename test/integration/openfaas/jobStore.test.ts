/**
 * The PostgreSQL job store on its own: retryable failures go back through the reconciler until the attempt
 * limit, then to the dead-letter table; the last lease expiry dead-letters too; finalize is claimed once.
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
});
