/**
 * Ceilings on what one job may ask for, checked from sizes computed before anything is built: output pixels
 * and the partition count of each grid (tile) from the grid alone (a 300-byte job with `resolution: 1e-9` is
 * refused before a single window exists), then over the whole job from the plan (all tiles): output pixels,
 * partitions, the merge's memory and the estimated cost. Nothing has run when a ceiling refuses a job.
 * Adapters pass their deployment's ceilings (`EOFN_MAX_*`, see docs/security.md); the message carries the
 * numbers, and `planJob` adds the plan it refused.
 *
 * @example
 * checkGridSize(grid, 4, DEFAULT_JOB_LIMITS); // throws JobTooLargeError for a 10^12-pixel grid
 */
import { InputError } from '../errors.ts';
import type { Grid } from '../raster/types.ts';

export interface JobLimits {
  /** Pixels of the output grid (one band). */
  maxOutputPixels: number;
  maxPartitions: number;
  /** What the merge step may hold (the finalize function's memory in the cloud). */
  maxMergeBytes: number;
  /** Local scratch disk the merge may fill (AWS Lambda's `/tmp`: 512 MB unless the function is given more). */
  maxMergeScratchBytes: number;
  /** The plan's estimated AWS Lambda cost (`estimateCost`), in USD. */
  maxCostUsd: number;
}

/** About eight Sentinel-2 tiles at 10 m; 10,000 partitions; a merge of 16 GiB with 16 GiB of scratch; USD 25. */
export const DEFAULT_JOB_LIMITS: JobLimits = {
  maxOutputPixels: 1e9,
  maxPartitions: 10_000,
  maxMergeBytes: 16 * 2 ** 30,
  maxMergeScratchBytes: 16 * 2 ** 30,
  maxCostUsd: 25,
};

/** Where a ceiling is configured, for the message that names it. */
export const LIMIT_SETTINGS: Record<keyof JobLimits, string> = {
  maxOutputPixels: 'EOFN_MAX_OUTPUT_PIXELS',
  maxPartitions: 'EOFN_MAX_PARTITIONS',
  maxMergeBytes: 'EOFN_MAX_MERGE_MB',
  maxMergeScratchBytes: 'EOFN_MAX_MERGE_SCRATCH_MB',
  maxCostUsd: 'EOFN_MAX_COST_USD',
};

export class JobTooLargeError extends InputError {
  constructor(what: string, limit: keyof JobLimits) {
    super('job', `${what}; split the job or raise ${LIMIT_SETTINGS[limit]}`);
    this.name = 'JobTooLargeError';
  }
}

/** Refuses a grid past the pixel ceiling; the numbers come from the grid alone (no allocation). */
export function checkGridSize(grid: Pick<Grid, 'width' | 'height'>, limits: JobLimits): void {
  const pixels = grid.width * grid.height;
  if (!Number.isFinite(pixels) || pixels > limits.maxOutputPixels) {
    throw new JobTooLargeError(`the output grid is ${grid.width} x ${grid.height} = ${fmt(pixels)} pixels, more than the limit of ${fmt(limits.maxOutputPixels)}`, 'maxOutputPixels');
  }
}

/** Refuses a job whose output grids (all its tiles) add up to more pixels than the ceiling. */
export function checkJobOutputPixels(pixels: number, tiles: number, limits: JobLimits): void {
  if (pixels > limits.maxOutputPixels) {
    throw new JobTooLargeError(`the job's output grids hold ${fmt(pixels)} pixels over ${tiles} tile(s), more than the limit of ${fmt(limits.maxOutputPixels)}`, 'maxOutputPixels');
  }
}

export function checkPartitionCount(count: number, limits: JobLimits): void {
  if (count > limits.maxPartitions) {
    throw new JobTooLargeError(`the plan needs ${fmt(count)} partitions, more than the limit of ${fmt(limits.maxPartitions)}`, 'maxPartitions');
  }
}

export function checkMergeBytes(bytes: number, limits: JobLimits): void {
  if (bytes > limits.maxMergeBytes) {
    throw new JobTooLargeError(`the merge needs about ${mib(bytes)} MB, more than the limit of ${mib(limits.maxMergeBytes)} MB`, 'maxMergeBytes');
  }
}

export function checkMergeScratchBytes(bytes: number, limits: JobLimits): void {
  if (bytes > limits.maxMergeScratchBytes) {
    throw new JobTooLargeError(`the merge needs about ${mib(bytes)} MB of local scratch disk, more than the limit of ${mib(limits.maxMergeScratchBytes)} MB`, 'maxMergeScratchBytes');
  }
}

export function checkCost(usd: number, limits: JobLimits): void {
  if (usd > limits.maxCostUsd) {
    throw new JobTooLargeError(`the job is estimated at USD ${usd.toFixed(2)}, more than the limit of USD ${limits.maxCostUsd}`, 'maxCostUsd');
  }
}

function fmt(n: number): string {
  return Number.isFinite(n) && n < 1e15 ? Math.round(n).toLocaleString('en-US') : n.toExponential(2);
}

function mib(bytes: number): number {
  return Math.round(bytes / 2 ** 20);
}
