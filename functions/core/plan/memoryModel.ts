/**
 * The memory model the planner splits jobs by. A partition's peak is a fixed runtime baseline plus, per
 * output pixel, what the op holds at once (decoded inputs, the time stack or accumulators, the result).
 * Lambda gives one vCPU per 1769 MB, hence the default budget. The figures were checked against measured
 * peak RSS (see `npm run bench`).
 *
 * @example
 * const budget = budgetBytes(1024); // what a partition may use inside a 1024 MB function
 */
export const DEFAULT_MEMORY_MB = 1769;

/** Node runtime, modules, decode buffers in flight and the output write: measured about 110 MB. */
export const BASELINE_BYTES = 160 * 2 ** 20;

/** Headroom for garbage-collector lag: a partition plans to use 85 % of what is left. */
export const HEADROOM = 0.85;

export function budgetBytes(memoryMb: number): number {
  return memoryMb * 2 ** 20;
}

/** Peak bytes when `pixels` pixels are held at `bytesPerPixel`. */
export function peakBytes(pixels: number, bytesPerPixel: number): number {
  return BASELINE_BYTES + pixels * bytesPerPixel;
}

/** The most pixels one partition may hold within `budget`. */
export function maxPixels(budget: number, bytesPerPixel: number): number {
  return Math.floor(((budget - BASELINE_BYTES) * HEADROOM) / bytesPerPixel);
}

export function mb(bytes: number): number {
  return Math.round(bytes / 2 ** 20);
}

/** A model figure as people read it: integers as they are, others to two decimals (84.09, not 84.08925395372825). */
export function formatNumber(v: number): string {
  return Number.isInteger(v) ? String(v) : String(Math.round(v * 100) / 100);
}
