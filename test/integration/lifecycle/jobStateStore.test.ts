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

/** A multi-tile job recorded with its tile list: each tile's partitions come with `recordTile`. */
function tiledJob(jobId: string, tiles: string[]): NewJob {
  const { partitions: _none, ...job } = newJob(jobId, []);
  return { ...job, tiles };
}

function tilePlan(jobId: string, key: string, ids: string[]) {
  return { key, href: `s3://results/${jobId}/_eofn/plan/${key}.json`, digest: key.repeat(64).slice(0, 64), partitions: ids.map((id) => ({ id: `${key}-${id}`, estimatedPeakBytes: 1, tile: key })) };
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

  it('counts a tile once however often it is recorded, and finalizes only when every tile is planned and every partition settled', async () => {
    // Prepare
    const store = storeOf();
    await store.recordPlanned(tiledJob('c-tiles', ['A', 'B']), { maxAttempts: 3 });
    await store.startJob('c-tiles');
    // Act: tile A planned twice (a plan-tile delivered twice), its partitions done before B is planned
    const a = await store.recordTile('c-tiles', tilePlan('c-tiles', 'A', ['p0', 'p1']));
    const aAgain = await store.recordTile('c-tiles', tilePlan('c-tiles', 'A', ['p0', 'p1']));
    await store.tileSent('c-tiles', 'A');
    const aSent = await store.recordTile('c-tiles', tilePlan('c-tiles', 'A', ['p0', 'p1']));
    const settledA = [];
    for (const id of ['A-p0', 'A-p1']) {
      await store.startPartition('c-tiles', id);
      settledA.push(await store.partitionSucceeded('c-tiles', id, 1));
    }
    const beforeB = await store.status('c-tiles');
    const b = await store.recordTile('c-tiles', tilePlan('c-tiles', 'B', ['p0']));
    await store.startPartition('c-tiles', 'B-p0');
    const lastB = await store.partitionSucceeded('c-tiles', 'B-p0', 1);
    // Assess
    expect([a.changed, aAgain.changed, aSent.changed]).toEqual([true, false, false]);
    expect([a.sent, aAgain.sent, aSent.sent]).toEqual([false, false, true]);
    expect(settledA.map((o) => !!o.finalize)).toEqual([false, false]);
    expect(beforeB).toMatchObject({ total: 2, done: 2, tiles: { planned: 1, total: 2 } });
    expect(b).toMatchObject({ changed: true, sent: false });
    expect(!!b.finalize).toBe(false);
    expect(lastB.finalize).toBe(true);
    expect(await store.status('c-tiles')).toMatchObject({ total: 3, done: 3, tiles: { planned: 2, total: 2 } });
    expect(await store.plannedTile('c-tiles', 'B')).toEqual({ href: 's3://results/c-tiles/_eofn/plan/B.json', digest: 'B'.repeat(64) });
    expect(await store.plannedTile('c-tiles', 'C')).toBeUndefined();
  });

  it('a tile planned last with no partitions finalizes the job itself; a tile that cannot be planned fails its job once', async () => {
    // Prepare
    const store = storeOf();
    await store.recordPlanned(tiledJob('c-empty', ['A', 'B']), { maxAttempts: 3 });
    await store.startJob('c-empty');
    await store.recordTile('c-empty', tilePlan('c-empty', 'A', ['p0']));
    await store.startPartition('c-empty', 'A-p0');
    const doneA = await store.partitionSucceeded('c-empty', 'A-p0', 1);
    await store.recordPlanned(tiledJob('c-refused', ['A', 'B']), { maxAttempts: 3 });
    await store.startJob('c-refused');
    // Act
    const empty = await store.recordTile('c-empty', tilePlan('c-empty', 'B', []));
    const failed = await store.planTileFailed('c-refused', 'B', 'tile B: the plan needs 9 partitions, more than the limit of 5');
    const failedAgain = await store.planTileFailed('c-refused', 'B', 'tile B: again');
    // Assess
    expect(!!doneA.finalize).toBe(false);
    expect(empty).toMatchObject({ changed: true, finalize: true });
    expect([failed, failedAgain]).toEqual([true, false]);
    expect(await store.status('c-refused')).toMatchObject({ status: 'FAILED', errors: ['tile B: the plan needs 9 partitions, more than the limit of 5'] });
  });

  it('a multi-tile job is not settled in until every tile is recorded: submitting it again goes on with it', async () => {
    // Prepare
    const store = storeOf();
    await store.recordPlanned(tiledJob('c-resume', ['A', 'B']), { maxAttempts: 3 });
    await store.recordTile('c-resume', tilePlan('c-resume', 'A', ['p0']));
    // Act
    const again = await store.recordPlanned(tiledJob('c-resume', ['A', 'B']), { maxAttempts: 3 });
    // Assess
    expect(again).toBe('created');
    expect((await store.acceptedJob('c-resume'))?.settledIn).toBe(false);
  });
});
