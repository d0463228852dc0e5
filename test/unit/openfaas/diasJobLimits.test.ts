/**
 * The merge's scratch ceiling on a DIAS: the finalize pod's /tmp has no size limit of its own (an emptyDir on
 * the node's disk), so the stack sets EOFN_MAX_MERGE_SCRATCH_MB on every function from the finalize shape, the
 * functions default to the same figure without it, a profile or --set raises it, and the jobs function's
 * planner refuses a merge past it with the numbers and the variable to raise.
 */
import { describe, expect, it } from 'vitest';
import { DIAS_FINALIZE_SCRATCH_MB, diasJobLimits } from '../../../functions/adapters/openfaas/diasJobLimits.ts';
import { FUNCTION_NAMES } from '../../../functions/adapters/openfaas/diasConfig.ts';
import { checkMergeScratchBytes, JobTooLargeError } from '../../../functions/core/plan/jobLimits.ts';
import { FINALIZE_MEMORY_MB } from '../../../functions/core/plan/opMemory.ts';
import { EDITIONS } from '../../../openfaas/deploy/editions.ts';
import { listProviders, loadProvider } from '../../../openfaas/deploy/providers.ts';
import { FUNCTION_PREFIX, functionShapes, renderStack } from '../../../openfaas/deploy/renderStack.ts';

const MB = 2 ** 20;

describe('DIAS merge scratch ceiling', () => {
  it('is set on every function of every stack from the finalize pod, and the functions read the same figure', async () => {
    for (const name of await listProviders()) {
      const provider = await loadProvider(name);
      expect(functionShapes(provider).finalize.scratchMb, name).toBe(DIAS_FINALIZE_SCRATCH_MB);
      for (const edition of Object.values(EDITIONS)) {
        const stack = renderStack(provider, edition);
        for (const fn of FUNCTION_NAMES) {
          const env = stack.functions[`${FUNCTION_PREFIX}${fn}`].environment;
          expect(env.EOFN_MAX_MERGE_SCRATCH_MB, `${name} ${edition.name} ${fn}`).toBe('2048');
          expect(diasJobLimits(env).maxMergeScratchBytes).toBe(2048 * MB);
        }
      }
    }
  });

  it('defaults to the finalize pod without the variable, and a profile or --set raises it', async () => {
    const raised = renderStack(await loadProvider('creodias'), EDITIONS.ce, { set: { EOFN_MAX_MERGE_SCRATCH_MB: '8192' } });
    expect(diasJobLimits({})).toMatchObject({ maxMergeScratchBytes: 2048 * MB, maxMergeBytes: FINALIZE_MEMORY_MB * MB });
    expect(diasJobLimits(raised.functions['eofn-jobs'].environment).maxMergeScratchBytes).toBe(8192 * MB);
    expect(() => diasJobLimits({ EOFN_MAX_MERGE_SCRATCH_MB: '0' })).toThrow('EOFN_MAX_MERGE_SCRATCH_MB must be a positive number; got "0"');
  });

  it('refuses a merge that would write more than the finalize pod may, naming the figures and the variable', () => {
    const limits = diasJobLimits({});
    expect(() => checkMergeScratchBytes(2048 * MB, limits)).not.toThrow();
    expect(() => checkMergeScratchBytes(3000 * MB, limits)).toThrow(JobTooLargeError);
    expect(() => checkMergeScratchBytes(3000 * MB, limits))
      .toThrow('job: the merge needs about 3000 MB of local scratch disk, more than the limit of 2048 MB; split the job or raise EOFN_MAX_MERGE_SCRATCH_MB');
  });
});
