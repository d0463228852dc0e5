/**
 * The memory of the merge step, in one place: it holds a whole product, so finalize gets more than an op's
 * partition function (whose memory each op's descriptor gives, `ops/descriptors.ts`).
 *
 * @example
 * budgetBytes(FINALIZE_MEMORY_MB); // what a merge may hold
 */

/** Finalize (merge) memory: a 10980² float32 product with overviews is about 640 MB plus one part. */
export const FINALIZE_MEMORY_MB = 3008;
