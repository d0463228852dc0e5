/**
 * How many COG levels a raster job's partitions compress themselves, and the windows that makes possible.
 * A partition can compress level k of its window only when the window is aligned to 512·2^k pixels (its
 * tiles at every level 0..k are then whole tiles of the product's); the merge makes the levels coarser than
 * that from the parts' coarsest one, so it holds the product at 1/4^k of its size. The planner picks the
 * smallest k whose merge stays under `MERGE_COARSE_TARGET`, then lowers it while one aligned window would
 * not fit a partition's memory or there would be too few windows to share out; at -1 the windows follow
 * the read blocks alone and the merge compresses every level, holding the whole product, as one process would.
 *
 * @example
 * const plan = planCogWindows(grid, { bytesPerPixel: 40, budgetBytes: 1769 * 2 ** 20, blockSize: 1024, bands: 1, dtype: 'float32' });
 * plan.cogLevels; // 2 for a 10980² float32 product: windows on multiples of 2048 px, a 30 MB merge
 */
import { DEFAULT_BLOCK_SIZE } from '../raster/cog/cogLayout.ts';
import { overviewSizes } from '../raster/cog/overviews.ts';
import { bytesPerSample, isFloat } from '../raster/dtypes.ts';
import type { DType, Grid } from '../raster/types.ts';
import { BASELINE_BYTES, maxPixels } from './memoryModel.ts';
import { planWindows, type WindowPlanOptions } from './planWindows.ts';
import type { PartitionSpec } from './types.ts';

/** What the merge may hold of the product at the parts' coarsest level before the planner asks for more levels. */
export const MERGE_COARSE_TARGET = 64 * 2 ** 20;
/** Range reads ahead (two of 8 MB) and one multipart part (16 MB) in flight while the merge streams. */
export const MERGE_STREAM_BYTES = 32 * 2 ** 20;
/** Longest side of the quicklook (`ops/rasterProduct.ts`). */
const PREVIEW_SIZE = 512;

export interface CogWindowOptions extends WindowPlanOptions {
  bands: number;
  dtype: DType;
  /** Default `MERGE_COARSE_TARGET`; tests lower it to make the partitions compress more levels. */
  mergeTargetBytes?: number;
}

export interface CogWindowPlan {
  partitions: PartitionSpec[];
  cogLevels: number;
  mergePeakBytes: number;
  /** What `mergePeakBytes` is for, in words (`OpPlan.mergeHolds`). */
  mergeHolds: string;
}

export function planCogWindows(grid: Grid, opts: CogWindowOptions): CogWindowPlan {
  const cogLevels = chooseCogLevels(grid, opts);
  const unit = cogLevels < 0 ? opts.blockSize : alignmentUnit(opts.blockSize, DEFAULT_BLOCK_SIZE * 2 ** cogLevels);
  const partitions = planWindows(grid, { ...opts, blockSize: unit }).map((p) => ({ ...p, data: { cogLevels } }));
  return { partitions, cogLevels, mergePeakBytes: rasterMergePeakBytes(grid, opts.bands, opts.dtype, Math.max(cogLevels, 0)), mergeHolds: rasterMergeHolds(cogLevels) };
}

/**
 * What a raster merge holds, by the levels the parts compress themselves.
 *
 * @example
 * rasterMergeHolds(2); // 'the product at overview level 2, 1/16 of its pixels (the parts\' coarsest level)'
 */
export function rasterMergeHolds(cogLevels: number): string {
  if (cogLevels < 0) return 'the whole product (windows this small compress no COG tile, so the merge compresses every level)';
  if (cogLevels === 0) return 'the product at full resolution (the parts compress no overview level)';
  return `the product at overview level ${cogLevels}, 1/${4 ** cogLevels} of its pixels (the parts' coarsest level)`;
}

export function chooseCogLevels(grid: Pick<Grid, 'width' | 'height'>, opts: CogWindowOptions): number {
  const sizes = [{ width: grid.width, height: grid.height }, ...overviewSizes(grid.width, grid.height, DEFAULT_BLOCK_SIZE)];
  let most = sizes.length - 1;
  // A float quicklook is drawn from the smallest overview still as large as it: the merge must hold that one.
  if (isFloat(opts.dtype)) {
    let pick = 0;
    for (let k = 1; k < sizes.length; k++) if (Math.max(sizes[k].width, sizes[k].height) >= PREVIEW_SIZE) pick = k;
    most = Math.min(most, pick);
  }
  const coarse = (k: number) => sizes[k].width * sizes[k].height * opts.bands * bytesPerSample(opts.dtype);
  let levels = 0;
  while (levels < most && coarse(levels) > (opts.mergeTargetBytes ?? MERGE_COARSE_TARGET)) levels++;
  const limit = maxPixels(opts.budgetBytes, opts.bytesPerPixel);
  const want = Math.max(1, opts.minPartitions ?? 1);
  const cells = (unit: number) => Math.ceil(grid.width / unit) * Math.ceil(grid.height / unit);
  const finest = cells(opts.blockSize);
  while (levels >= 0) {
    const unit = alignmentUnit(opts.blockSize, DEFAULT_BLOCK_SIZE * 2 ** levels);
    const fits = limit >= Math.min(unit, grid.width) * Math.min(unit, grid.height);
    if (fits && cells(unit) >= Math.min(want, finest)) break;
    levels--;
  }
  // -1: not even one COG tile fits (or too few windows): windows on the read blocks, the merge compresses.
  return levels;
}

/**
 * Merge peak of a raster product: the product at the parts' coarsest level and the overviews made from it
 * (a third more), their compressed tiles (at most as large again), the quicklook sums and the stream buffers.
 */
export function rasterMergePeakBytes(grid: Pick<Grid, 'width' | 'height'>, bands: number, dtype: DType, cogLevels: number): number {
  const f = 2 ** cogLevels;
  const coarse = Math.ceil(grid.width / f) * Math.ceil(grid.height / f) * bands * bytesPerSample(dtype);
  const preview = PREVIEW_SIZE * PREVIEW_SIZE * 12 * Math.min(bands, 3);
  return BASELINE_BYTES + Math.ceil(coarse * (4 / 3) + coarse / 3) + preview + MERGE_STREAM_BYTES;
}

/** Windows sit on multiples of both the read blocks and the COG unit, unless that would be far coarser than either. */
function alignmentUnit(readBlock: number, cogUnit: number): number {
  const lcm = (readBlock * cogUnit) / gcd(readBlock, cogUnit);
  return lcm <= 2 * Math.max(readBlock, cogUnit) ? lcm : cogUnit;
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}
