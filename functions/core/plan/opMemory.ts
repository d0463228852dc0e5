/**
 * The memory each op's partition function gets, in one place: the planner splits a job for this budget,
 * and the deployments (Lambda `memorySize`, OpenFaaS `limits.memory`) give the functions exactly this much.
 * The merge step holds a whole product, so finalize gets more.
 *
 * @example
 * planJob(prepared, { memoryMb: opMemoryMb('tile-reduce') }); // 1769
 */
import { DEFAULT_MEMORY_MB } from './memoryModel.ts';

export const OP_MEMORY_MB: Record<string, number> = {
  'tile-reduce': DEFAULT_MEMORY_MB,
  composite: DEFAULT_MEMORY_MB,
  'coherence-merge': DEFAULT_MEMORY_MB,
  'parcel-aggregate': DEFAULT_MEMORY_MB,
};

/**
 * Finalize (merge) memory. A raster merge holds the product at the parts' coarsest level (64 MB or less of a
 * 10980² tile), a parcel merge its row groups; 3008 MB leaves room for large multi-band products.
 */
export const FINALIZE_MEMORY_MB = 3008;

/** Finalize's local scratch disk: Lambda's default `/tmp` (the stack does not raise it). */
export const FINALIZE_SCRATCH_MB = 512;

/** The memory an op's partitions are planned for (the default for an op not listed). */
export function opMemoryMb(op: string): number {
  return OP_MEMORY_MB[op] ?? DEFAULT_MEMORY_MB;
}
