/**
 * A local run refuses, before any partition runs, a job whose merge would not fit this machine (memory,
 * or free disk under the temporary folder) or the ceilings set in the environment; it says the plan.
 */
import { existsSync } from 'node:fs';
import { totalmem } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runJobLocally } from '../../../functions/adapters/local/runJobLocally.ts';
import { localMergeLimits } from '../../../functions/adapters/local/localMergeLimits.ts';
import { registerLocalStorages } from '../../../functions/adapters/local/registerLocalStorages.ts';
import { PARTS_FOLDER } from '../../../functions/core/engine/index.ts';
import { ndviJob, tempOutput } from '../../helpers/sampleJobs.ts';

afterEach(() => {
  delete process.env.EOFN_MAX_MERGE_MB;
  delete process.env.EOFN_MAX_MERGE_SCRATCH_MB;
});

describe('local run: the merge must fit before anything runs (issue 9)', () => {
  it('bounds the merge by the machine: its memory and the free disk under the temporary folder', () => {
    const limits = localMergeLimits();
    expect(limits.maxMergeBytes).toBe(totalmem());
    expect(limits.maxMergeScratchBytes).toBeGreaterThan(0);
  });

  it('refuses a merge over EOFN_MAX_MERGE_MB with the plan, and writes no part', async () => {
    // Prepare
    registerLocalStorages();
    const output = await tempOutput('merge-fit');
    process.env.EOFN_MAX_MERGE_MB = '170';
    // Act
    const run = runJobLocally({ job: { raw: ndviJob() }, output, workers: 1, memoryMb: 161, quiet: true });
    // Assess
    await expect(run).rejects.toThrow(/merge needs about \d+ MB, more than the limit of 170 MB.*EOFN_MAX_MERGE_MB[\s\S]*partitions/);
    expect(existsSync(join(output, PARTS_FOLDER))).toBe(false);
  });

  it('runs the same job within the limits', async () => {
    registerLocalStorages();
    const output = await tempOutput('merge-fit-ok');
    process.env.EOFN_MAX_MERGE_SCRATCH_MB = '1';
    const { record } = await runJobLocally({ job: { raw: ndviJob() }, output, workers: 1, memoryMb: 161, quiet: true });
    // A raster merge streams its COG: it needs no scratch disk at all.
    expect(record.status).toBe('SUCCEEDED');
    expect(existsSync(join(output, 'result.tif'))).toBe(true);
  });
});
