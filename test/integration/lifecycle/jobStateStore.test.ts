/**
 * One contract, two stores: the same transitions of `JobStateStore` against DynamoDB (dynalite, over the
 * real SDK) and PostgreSQL (the local server). Where the platforms differ by design (a DIAS settles a job
 * with dead partitions without a merge, AWS sends it to finalize to write its FAILED record), the test
 * asks for what both promise.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobStateStore, NewJob } from '../../../functions/core/lifecycle/jobStateStore.ts';
import { createJobStore } from '../../../functions/adapters/lambda/jobStore.ts';
import { PostgresJobStore } from '../../../functions/adapters/openfaas/jobStore.ts';
import { startAwsEmulators, type AwsTestEnv } from '../../helpers/awsEmulators.ts';
import { ensurePostgres, TEST_DATABASE_URL } from '../../helpers/ensurePostgres.ts';

const SCHEMA = `eofn_it_lifecycle_${process.pid}`;
let aws: AwsTestEnv | undefined;
let postgres: PostgresJobStore | undefined;

function newJob(jobId: string, ids: string[], hash = `hash-of-${jobId}`): NewJob {
  return {
    jobId, op: 'tile-reduce', outputHref: `s3://results/${jobId}`, preparedRef: `s3://results/${jobId}/_eofn/prepared.json`,
    preparedDigest: 'd'.repeat(64), hash, memoryMb: 1769, partitions: ids.map((id) => ({ id, estimatedPeakBytes: 1 })),
  };
}

beforeAll(async () => {
  await ensurePostgres();
  [aws, postgres] = await Promise.all([
    startAwsEmulators({ ops: ['tile-reduce'] }),
    PostgresJobStore.open(TEST_DATABASE_URL, SCHEMA, { leaseSeconds: 60, dispatchTimeoutSeconds: 60 }),
  ]);
});

afterAll(async () => {
  await aws?.stop();
  await postgres?.close();
  const c = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await c.connect();
  await c.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
  await c.end();
});

const stores: [string, () => JobStateStore][] = [
  ['DynamoDB (AWS)', () => createJobStore(aws!.doc, aws!.config.tableName)],
  ['PostgreSQL (DIAS)', () => postgres!],
];

describe.each(stores)('JobStateStore on %s', (_name, storeOf) => {
  it('records a job once: the same content is known, another content under its id a conflict, an invalid one no job', async () => {
    // Prepare
    const store = storeOf();
    // Act
    const first = await store.recordPlanned(newJob('c-once', ['a', 'b']), { maxAttempts: 3 });
    await store.startJob('c-once');
    const again = await store.recordPlanned(newJob('c-once', ['a', 'b']), { maxAttempts: 3 });
    const other = await store.recordPlanned(newJob('c-once', ['a'], 'another-hash'), { maxAttempts: 3 });
    await store.recordInvalid('c-bad', 'tile-reduce', ['params.reducer: Invalid option']);
    // Assess
    expect([first, again, other]).toEqual(['created', 'same', 'conflict']);
    expect(await store.acceptedJob('c-once')).toEqual({ hash: 'hash-of-c-once', settledIn: true });
    expect(await store.acceptedJob('c-bad')).toBeUndefined();
    expect(await store.acceptedJob('c-nobody')).toBeUndefined();
    expect(await store.status('c-bad')).toMatchObject({ id: 'c-bad', status: 'INVALID', errors: ['params.reducer: Invalid option'] });
    expect(await store.plannedJob('c-once')).toEqual({
      op: 'tile-reduce', status: 'RUNNING', preparedRef: 's3://results/c-once/_eofn/prepared.json', preparedDigest: 'd'.repeat(64),
    });
  });

  it('counts each partition once, sends the job to finalize once, and lets one finalize claim win', async () => {
    // Prepare
    const store = storeOf();
    // Act
    const attemptA = await store.startPartition('c-once', 'a');
    const a = await store.partitionSucceeded('c-once', 'a', 1.5);
    const duplicate = await store.partitionSucceeded('c-once', 'a', 1.5);
    const restart = await store.startPartition('c-once', 'a');
    const attemptB = await store.startPartition('c-once', 'b');
    const b = await store.partitionSucceeded('c-once', 'b', 2);
    const claims = await Promise.all([store.startFinalize('c-once'), store.startFinalize('c-once'), store.startFinalize('c-once')]);
    const won = claims.find((c) => c.claimed);
    const finished = won?.claimed && await store.finishJob('c-once', won.claim, 'SUCCEEDED', []);
    const late = await store.startFinalize('c-once');
    // Assess
    expect([attemptA, attemptB, restart]).toEqual([1, 1, undefined]);
    expect([a.changed, duplicate.changed, b.changed]).toEqual([true, false, true]);
    expect([!!a.finalize, !!duplicate.finalize, !!b.finalize]).toEqual([false, false, true]);
    expect(claims.filter((c) => c.claimed)).toHaveLength(1);
    expect(finished).toBe(true);
    expect(late.claimed).toBe(false);
    expect(await store.status('c-once')).toMatchObject({
      status: 'SUCCEEDED', total: 2, done: 2, failed: 0,
      partitions: [{ id: 'a', status: 'SUCCEEDED', attempts: 1 }, { id: 'b', status: 'SUCCEEDED', attempts: 1 }],
    });
  });

  it('a partition that fails for good is DEAD and settles the job: to finalize (AWS) or FAILED at once (DIAS)', async () => {
    // Prepare
    const store = storeOf();
    await store.recordPlanned(newJob('c-dead', ['a']), { maxAttempts: 3 });
    await store.startJob('c-dead');
    const attempt = await store.startPartition('c-dead', 'a');
    // Act
    const outcome = await store.partitionFailed('c-dead', 'a', { attempt, error: 'items[0]: not a GeoTIFF', permanent: true, lastAttempt: true });
    const again = await store.partitionFailed('c-dead', 'a', { attempt, error: 'items[0]: not a GeoTIFF', permanent: true, lastAttempt: true });
    // Assess
    expect(outcome).toMatchObject({ changed: true, dead: true });
    expect(!!outcome.finalize || !!outcome.jobFailed).toBe(true);
    expect(again.changed).toBe(false);
    expect(await store.status('c-dead')).toMatchObject({
      total: 1, done: 0, failed: 1, partitions: [{ id: 'a', status: 'DEAD', attempts: 1, error: 'items[0]: not a GeoTIFF' }],
    });
  });
});
