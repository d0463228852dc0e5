/**
 * The memory of the merge step, in one place: it holds a whole product, so finalize gets more than an op's
 * partition function (whose memory each op's descriptor gives, `ops/descriptors.ts`).
 *
 * @example
 * budgetBytes(FINALIZE_MEMORY_MB); // what a merge may hold
 */

/**
 * Finalize (merge) memory. A raster merge holds the product at the parts' coarsest level (64 MB or less of a
 * 10980² tile), a parcel merge its row groups; 3008 MB leaves room for large multi-band products.
 */
export const FINALIZE_MEMORY_MB = 3008;

/** Finalize's local scratch disk: Lambda's default `/tmp` (the stack does not raise it). */
export const FINALIZE_SCRATCH_MB = 512;

