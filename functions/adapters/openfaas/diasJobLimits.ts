/**
 * The job ceilings of a DIAS deployment: `EOFN_MAX_*` from the function's environment over the finalize pod's
 * own size. The merge runs in the finalize function, so its memory (3008 MiB) bounds what a merge may hold and
 * its `/tmp` what a merge may write to local scratch. OpenFaaS gives a pod with a read-only root filesystem a
 * writable `/tmp` as an `emptyDir` on the node's disk with no size limit (faas-netes sets none, and stack.yml
 * cannot): a merge that filled it would fill the node and get pods evicted. `DIAS_FINALIZE_SCRATCH_MB` is what
 * eofn lets one merge write there; the stack sets it on every function (`EOFN_MAX_MERGE_SCRATCH_MB`), and a
 * provider profile or `--set` raises it where the nodes have the disk.
 *
 * @example
 * const limits = diasJobLimits(process.env); // limits.maxMergeScratchBytes: 2048 MiB less headroom
 */
import { budgetBytes } from '../../core/plan/memoryModel.ts';
import { FINALIZE_MEMORY_MB } from '../../core/plan/opMemory.ts';
import type { JobLimits } from '../../core/plan/jobLimits.ts';
import { jobLimitsFromEnv } from '../shared/jobLimitsFromEnv.ts';

/**
 * Local scratch one finalize pod may write (MiB), eofn's choice where the platform gives no figure: four
 * merges at once (`FINALIZE_REPLICAS`) then write 8 GiB at most to the nodes' disks.
 */
export const DIAS_FINALIZE_SCRATCH_MB = 2048;

export function diasJobLimits(env: Record<string, string | undefined>): JobLimits {
  return jobLimitsFromEnv(env, { maxMergeBytes: budgetBytes(FINALIZE_MEMORY_MB), maxMergeScratchBytes: budgetBytes(DIAS_FINALIZE_SCRATCH_MB) });
}
