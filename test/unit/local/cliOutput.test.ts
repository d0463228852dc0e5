/**
 * What the CLI prints, from the objects it prints: the run summary names the product actually written, the
 * plan states its worker assumption, rounds model figures and says when the merge exceeds --memory; the AWS
 * status of an invalid job names the job; a missing S3 object is bad input named by href.
 */
import { describe, expect, it } from 'vitest';
import { formatRunSummary } from '../../../functions/adapters/local/formatRunSummary.ts';
import { formatPlan } from '../../../functions/adapters/local/formatPlan.ts';
import { formatStatus } from '../../../functions/adapters/local/formatStatus.ts';
import { createAwsBackend } from '../../../functions/adapters/lambda/cliBackend.ts';
import { createJobStore } from '../../../functions/adapters/lambda/jobStore.ts';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { S3Storage } from '../../../functions/adapters/shared/s3Storage.ts';
import { InputError } from '../../../functions/core/errors.ts';
import type { JobPlan } from '../../../functions/core/engine/index.ts';

const MB = 2 ** 20;

function runResult(op: string, params: Record<string, unknown>) {
  return {
    record: { id: 'j', op, status: 'SUCCEEDED' as const, partitions: [], timings: { total: 1 }, errors: [], updated: '' },
    prepared: { job: { id: 'j', op, params }, outputHref: '/out', inputs: [], setup: {} },
    plan: {} as JobPlan,
    alreadyDone: false,
  } as never;
}

function plan(mergePeakMb: number): JobPlan {
  return {
    jobId: 'j', op: 'parcel-aggregate', memoryMb: 200, mergePeakBytes: mergePeakMb * MB,
    partitions: [{ id: 'p0', estimatedPeakBytes: 180 * MB }], model: { bytesPerPixel: 84.08925395372825, items: 3 }, mergeHolds: "the partitions' summaries (a test's words)",
  };
}

describe('CLI output', () => {
  it('the run summary names the CSV or Parquet dataset (table/*.csv, table/*.parquet by default) for parcels, result.tif for rasters', () => {
    expect(formatRunSummary(runResult('parcel-aggregate', { format: 'csv' }))).toContain('product   /out/table/*.csv (one file per partition)\n');
    expect(formatRunSummary(runResult('parcel-aggregate', { format: 'parquet' }))).toContain('product   /out/table/*.parquet (one file per partition)\n');
    expect(formatRunSummary(runResult('tile-reduce', {}))).toContain('product   /out/result.tif\n');
  });

  it('the plan says how many workers it split for, rounds model figures, and warns when the merge needs more than --memory', () => {
    const text = formatPlan(plan(401), 2);
    expect(text).toMatch(/^job j \(parcel-aggregate\): 1 partition\(s\) within 200 MB, split for 2 local worker\(s\)/);
    expect(text).toContain('memory model: bytesPerPixel=84.09 items=3\n');
    expect(text).toContain("warning: the merge needs about 401 MB, more than --memory 200 MB. It holds the partitions' summaries (a test's words). No --memory up to 1604 MB makes it fit.\n");
    expect(formatPlan(plan(401), 2, { mergeFitMb: 260 })).toContain("It holds the partitions' summaries (a test's words). --memory 260 is enough.\n");
    expect(formatPlan(plan(190), 2)).not.toContain('warning');
  });

  it('eofn status of an invalid AWS job names the job, although its record has no id attribute', async () => {
    // Prepare: the record recordInvalid writes (an update: status, op, errors, counters; no id)
    const item = { pk: 'JOB#tile-reduce-0123456789abcdef', sk: 'JOB', status: 'INVALID', op: 'tile-reduce', errors: ['params.reducer: Invalid option'], total: 0, done: 0, failed: 0 };
    const doc = { send: async (command: object) => (command instanceof GetCommand ? { Item: item } : { Items: [] }) };
    const store = createJobStore(doc as never, 't');
    const backend = createAwsBackend({ tableName: 't' } as never, store as never, (async () => undefined) as never);
    // Act
    const view = await backend.status('tile-reduce-0123456789abcdef');
    // Assess
    expect(formatStatus(view!)).toMatch(/^job tile-reduce-0123456789abcdef \(tile-reduce\): INVALID\n/);
    expect(formatStatus(view!)).toContain('params.reducer: Invalid option');
  });

  it('eofn status shows a multi-tile job\'s tiles planned of its tiles, from the counters', () => {
    // Prepare
    const view = { id: 'j', op: 'parcel-aggregate', status: 'RUNNING' as const, total: 40, done: 12, failed: 0, tiles: { planned: 3, total: 110 }, partitions: [], errors: [] };
    // Act
    const text = formatStatus(view);
    const planned = formatStatus({ ...view, tiles: { planned: 110, total: 110 } });
    // Assess
    expect(text).toContain('  12/40 partitions done, 0 failed\n  3/110 tiles planned (more partitions to come)\n');
    expect(planned).toContain('  110/110 tiles planned\n');
    expect(formatStatus({ ...view, tiles: undefined })).not.toContain('tiles planned');
  });

  it('a missing S3 object or bucket is an InputError naming the href, not a bare NoSuchKey', async () => {
    const failing = (name: string) => new S3Storage({ send: async () => { throw Object.assign(new Error(''), { name }); } } as never);
    for (const read of [(s: S3Storage) => s.readRange('s3://b/k.tif', 0, 10), (s: S3Storage) => s.readAll('s3://b/k.tif')]) {
      const err = await read(failing('NoSuchKey')).catch((e) => e);
      expect(err).toBeInstanceOf(InputError);
      expect(err.message).toBe('s3://b/k.tif: object not found (S3 NoSuchKey)');
    }
    expect((await failing('NoSuchBucket').readAll('s3://b/k').catch((e) => e)).message).toBe('s3://b/k: bucket not found (S3 NoSuchBucket)');
    const outage = await failing('ServiceUnavailable').readAll('s3://b/k').catch((e) => e);
    expect(outage).not.toBeInstanceOf(InputError); // retryable, not bad input
    expect(outage.message).toBe('s3://b/k: ServiceUnavailable'); // named, even when the SDK's message is empty
  });
});
