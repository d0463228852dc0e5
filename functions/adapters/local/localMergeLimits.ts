/**
 * The merge ceilings of this machine: `eofn run` merges in its own process, so the merge may hold what the
 * machine has (its total memory) and fill what is free on the disk under the temporary folder. A job past
 * them is refused before any partition runs, as the cloud adapters refuse one past their finalize function.
 *
 * @example
 * const limits = jobLimitsFromEnv(process.env, localMergeLimits());
 */
import { statfsSync } from 'node:fs';
import { tmpdir, totalmem } from 'node:os';
import type { JobLimits } from '../../core/plan/jobLimits.ts';

export function localMergeLimits(): Partial<JobLimits> {
  const limits: Partial<JobLimits> = { maxMergeBytes: totalmem() };
  try {
    const disk = statfsSync(tmpdir());
    limits.maxMergeScratchBytes = disk.bavail * disk.bsize;
  } catch {
    // A filesystem that cannot say its free space: the default ceiling stands.
  }
  return limits;
}
