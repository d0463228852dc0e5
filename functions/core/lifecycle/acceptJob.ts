/**
 * Accepting a submitted job, the same on every deployment: read it, validate it, compare it with a job
 * already accepted under its id, prepare it, plan it for the memory its op's function has (which checks
 * that the merge fits), store the prepared job beside its output and record the plan. A job that is wrong
 * (invalid, unreadable, too large, not runnable here) is recorded INVALID with its problems; sending its
 * partitions is left to the adapter, which knows the platform's queues.
 *
 * @example
 * const result = await acceptJob({ read: () => readJobMessage(msg), received: msg }, { store, memoryMbOf: () => 1769 });
 * if (result.outcome === 'accepted') await sendPartitions(result.plan.partitions);
 */
import { createHash } from 'node:crypto';
import { InvalidJobError, isPermanent } from '../errors.ts';
import { canonicalJson, contentHash, validateJob, type ValidJob } from '../contract/validateJob.ts';
import type { JobLimits } from '../plan/jobLimits.ts';
import { prepareJob, type PreparedJob } from '../engine/prepareJob.ts';
import { planJob, type JobPlan } from '../engine/planJob.ts';
import { storePrepared } from '../engine/storedJob.ts';
import type { JobStateStore, RecordOptions } from './jobStateStore.ts';

export interface AcceptSource {
  /** Reads the job: inline, or from the href a message names. */
  read(): Promise<{ raw: unknown; base?: string }>;
  /** What arrived, to name a job that cannot even be read (`invalid-<hash>`). */
  received: unknown;
}

export interface AcceptOptions {
  store: JobStateStore;
  /** Memory of the op's function in MB (undefined: the default budget). */
  memoryMbOf(op: string): number | undefined;
  minPartitions?: number;
  /** The deployment's ceilings; the merge's ceiling is the finalize function's memory. */
  limits?: Partial<JobLimits>;
  /** Why this deployment cannot run the job, if it cannot (e.g. its op is not deployed here). */
  refuse?(job: ValidJob): string | undefined;
  recordOptions?(job: ValidJob): RecordOptions;
  /**
   * Brackets the slow part (prepare, plan, store) of a job not seen before: a DIAS records the submission
   * with a lease, so that one whose function dies planning it is sent again.
   */
  submission?: { begin(jobId: string): Promise<void>; end(jobId: string): Promise<void> };
}

export type Acceptance =
  | { outcome: 'accepted'; jobId: string; prepared: PreparedJob; plan: JobPlan }
  /** The same job was accepted before: nothing to do. */
  | { outcome: 'known'; jobId: string }
  /** A different job holds the id. */
  | { outcome: 'conflict'; jobId: string }
  | { outcome: 'invalid'; jobId: string; op: string; problems: string[] };

export async function acceptJob(source: AcceptSource, options: AcceptOptions): Promise<Acceptance> {
  const { store } = options;
  let raw: unknown;
  let begun: string | undefined;
  try {
    const read = await source.read();
    raw = read.raw;
    const valid = validateJob(raw);
    const hash = contentHash(valid);
    const known = await store.acceptedJob(valid.id);
    if (known && known.hash !== hash) return { outcome: 'conflict', jobId: valid.id };
    if (known?.settledIn) return { outcome: 'known', jobId: valid.id };
    await options.submission?.begin(valid.id);
    begun = valid.id;

    const prepared = await prepareJob(raw, read.base);
    const refused = options.refuse?.(prepared.job);
    if (refused) return await invalid(raw, [refused]);
    const plan = planJob(prepared, { memoryMb: options.memoryMbOf(prepared.job.op), minPartitions: options.minPartitions, limits: options.limits });
    const stored = await storePrepared(prepared, plan);
    const outcome = await store.recordPlanned({
      jobId: plan.jobId, op: plan.op, outputHref: prepared.outputHref, preparedRef: stored.href, preparedDigest: stored.digest,
      hash, memoryMb: plan.memoryMb, partitions: plan.partitions,
    }, options.recordOptions?.(prepared.job));
    if (outcome === 'conflict') return { outcome, jobId: plan.jobId };
    if (outcome === 'same') return { outcome: 'known', jobId: plan.jobId };
    return { outcome: 'accepted', jobId: plan.jobId, prepared, plan };
  } catch (e) {
    if (!isPermanent(e)) {
      begun = undefined; // a failure a retry may fix leaves the submission open: the platform sends it again
      throw e;
    }
    return await invalid(raw ?? source.received, e instanceof InvalidJobError ? e.problems : [(e as Error).message]);
  } finally {
    if (begun) await options.submission?.end(begun);
  }

  async function invalid(given: unknown, problems: string[]): Promise<Acceptance> {
    const jobId = invalidJobId(given);
    const op = String((given as { op?: unknown } | null)?.op ?? 'unknown');
    await store.recordInvalid(jobId, op, problems);
    return { outcome: 'invalid', jobId, op, problems };
  }
}

/** The id an invalid submission is recorded under: its own, or a hash of what arrived. */
export function invalidJobId(given: unknown): string {
  const id = (given as { id?: unknown } | null)?.id;
  return typeof id === 'string' && id ? id : `invalid-${createHash('sha256').update(canonicalJson(given)).digest('hex').slice(0, 16)}`;
}
