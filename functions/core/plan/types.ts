/**
 * The planning vocabulary: what a job splits into (`PartitionSpec`), what the planner is given
 * (`PlanOptions`), what it returns (`OpPlan`, and `JobPlan` for a whole job). Ops, the engine and every
 * adapter speak it; it lives here, below the ops, so that the planners in `plan/` need nothing from `ops/`.
 *
 * @example
 * const plan: OpPlan = op.plan(setup, { budgetBytes: 1769 * 2 ** 20 });
 * const first: PartitionSpec = plan.partitions[0];
 */
import type { Window } from '../raster/types.ts';
import type { JobLimits } from './jobLimits.ts';

export interface PartitionSpec {
  /** Deterministic, derived from what the partition covers: a re-plan of the same job gives the same ids. */
  id: string;
  window?: Window;
  /** The memory model's estimate of this partition's peak, in bytes. */
  estimatedPeakBytes: number;
  /** Op-specific, JSON-serialisable (e.g. the parcel ids of a parcel-aggregate partition). */
  data?: unknown;
  /** The tile (grid) of a multi-tile job this partition belongs to; absent when the job has one grid. */
  tile?: string;
  /** What the partition computes, for time and cost estimates (`scalePlan.ts`); absent: window × items. */
  work?: PartitionWork;
}

export interface PartitionWork {
  /** Input samples decoded: window pixels × items × inputs read. */
  inputPixels: number;
  /** Parcels read, projected and rasterised (parcel-aggregate). */
  parcels?: number;
  /** Rows of statistics (parcels × items × bands). */
  records?: number;
}

export interface PlanOptions {
  budgetBytes: number;
  /** Ceilings checked before partitions are built (default `DEFAULT_JOB_LIMITS`). */
  limits?: JobLimits;
  /** Split at least this much (e.g. one partition per local worker) even when memory would allow fewer. */
  minPartitions?: number;
}

export interface OpPlan {
  partitions: PartitionSpec[];
  /** Peak of the merge step (a raster merge holds the product at the parts' coarsest level, see `cogLevels.ts`). */
  mergePeakBytes: number;
  /** Local scratch disk the merge needs (absent or 0: none; a raster merge streams its COG). */
  mergeScratchBytes?: number;
  /** What the merge holds in memory, in words: `eofn plan` says it when the merge needs more than --memory. */
  mergeHolds?: string;
  /** Memory model inputs, printed by `eofn plan` so that a user can see why a job split as it did. */
  model: Record<string, number | string>;
}

/** A job's plan as `planJob` returns it: the op's plan with the job and the memory it was planned for. */
export interface JobPlan extends OpPlan {
  jobId: string;
  op: string;
  memoryMb: number;
}
