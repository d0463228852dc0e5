/**
 * The deployment's job ceilings from its environment (`EOFN_MAX_OUTPUT_PIXELS`, `EOFN_MAX_PARTITIONS`,
 * `EOFN_MAX_MERGE_MB`, `EOFN_MAX_MERGE_SCRATCH_MB`, `EOFN_MAX_COST_USD`), over the adapter's defaults. The same variables on every
 * adapter: the CLI, Lambda and the DIAS functions refuse the same jobs.
 *
 * @example
 * const limits = jobLimitsFromEnv(process.env, { maxMergeBytes: budgetBytes(FINALIZE_MEMORY_MB) });
 */
import { DEFAULT_JOB_LIMITS, LIMIT_SETTINGS, type JobLimits } from '../../core/plan/jobLimits.ts';

export function jobLimitsFromEnv(env: Record<string, string | undefined>, defaults: Partial<JobLimits> = {}): JobLimits {
  const out: JobLimits = { ...DEFAULT_JOB_LIMITS, ...defaults };
  for (const key of Object.keys(LIMIT_SETTINGS) as (keyof JobLimits)[]) {
    const name = LIMIT_SETTINGS[key];
    const text = env[name];
    if (text === undefined || text === '') continue;
    const n = Number(text);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number; got "${text}"`);
    out[key] = key === 'maxMergeBytes' || key === 'maxMergeScratchBytes' ? n * 2 ** 20 : n;
  }
  return out;
}
