/**
 * The job counters of the AWS store under duplicate deliveries of a failing partition: the partition is
 * counted failed once however its duplicates' attempts interleave, a redrive uncounts it once, and its
 * success counts it done once; progress reads the counters alone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJobStore, type JobStore } from '../../../functions/adapters/lambda/jobStore.ts';
import { startAwsEmulators, type AwsTestEnv } from '../../helpers/awsEmulators.ts';

let aws: AwsTestEnv;
let store: JobStore;

beforeAll(async () => {
  aws = await startAwsEmulators({ ops: ['tile-reduce'] });
  store = createJobStore(aws.doc, aws.config.tableName);
});

afterAll(async () => {
  await aws?.stop();
});

describe('AWS job store counters', () => {
  it('counts a dead partition once when a duplicate keeps failing after it went DEAD', async () => {
    // Prepare
    await store.createJob({ id: 'dup', op: 'tile-reduce', status: 'PLANNED', hash: 'h', total: 2 });
    await store.markFannedOut('dup');
    const later = Math.floor(Date.now() / 1000) + 600;

    // Act: copy A dies on its last attempt, copy B then fails a non-last and its last attempt
    await store.startPartition('dup', 'p1', later);
    const first = await store.partitionFailed('dup', 'p1', 'boom (A, last)', true);
    await store.startPartition('dup', 'p1', later);
    await store.partitionFailed('dup', 'p1', 'boom (B, 2nd)', false);
    await store.startPartition('dup', 'p1', later);
    const second = await store.partitionFailed('dup', 'p1', 'boom (B, last)', true);

    // Assess
    expect(first).toEqual({ done: 0, failed: 1, total: 2 });
    expect(second).toBeUndefined();
    expect(await store.progress('dup')).toEqual({ status: 'RUNNING', done: 0, failed: 1, total: 2 });

    // Act: redrive, then the partition succeeds (and a late duplicate of the old failure arrives)
    const reset = await store.resetForRedrive('dup');
    const after = await store.progress('dup');
    await store.startPartition('dup', 'p1', later);
    const done = await store.partitionSucceeded('dup', 'p1', 1.5);
    const late = await store.partitionFailed('dup', 'p1', 'late duplicate', true);

    // Assess
    expect(reset.partitions).toEqual(['p1']);
    expect(after).toMatchObject({ done: 0, failed: 0 });
    expect(done).toEqual({ done: 1, failed: 0, total: 2 });
    expect(late).toBeUndefined();
    expect(await store.progress('dup')).toEqual({ status: 'RUNNING', done: 1, failed: 0, total: 2 });
  });

  it('keeps an interrupted fan-out\'s progress, only rising and only while PLANNED', async () => {
    // Prepare
    await store.createJob({ id: 'fan', op: 'tile-reduce', status: 'PLANNED', hash: 'h', total: 5000 });

    // Act
    await store.noteFanOut('fan', 2000);
    await store.noteFanOut('fan', 1000);
    const planned = await store.getJob('fan');
    await store.markFannedOut('fan');
    await store.noteFanOut('fan', 4000);

    // Assess
    expect(planned?.fannedOut).toBe(2000);
    expect((await store.getJob('fan'))?.fannedOut).toBe(2000);
  });
});
