/**
 * Splits an output grid into windows aligned to the COG blocks, each small enough for the memory budget:
 * full-width strips of whole block rows when a block row fits, otherwise runs of blocks within a row.
 * Strips are balanced so that the last one is not a sliver.
 *
 * @example
 * planWindows(grid, { bytesPerPixel: 57, budgetBytes: 1024 * 2 ** 20, blockSize: 512 });
 * // [{ id: 'r00000-c00000-10980x1536', window: {...}, estimatedPeakBytes: ... }, ...]
 */
import { InputError } from '../errors.ts';
import type { Grid, Window } from '../raster/types.ts';
import type { PartitionSpec } from './types.ts';
import { budgetNeeded, formatNumber, maxPixels, mb, peakBytes, BASELINE_BYTES, HEADROOM } from './memoryModel.ts';
import { checkGridSize, checkPartitionCount, DEFAULT_JOB_LIMITS, type JobLimits } from './jobLimits.ts';

/** COG block size of products whose grid is not an input's own (512 px, as GDAL's COG driver). */
export const OUTPUT_BLOCK_SIZE = 512;

export interface WindowPlanOptions {
  bytesPerPixel: number;
  budgetBytes: number;
  blockSize: number;
  minPartitions?: number;
  limits?: JobLimits;
}

export function planWindows(grid: Grid, opts: WindowPlanOptions): PartitionSpec[] {
  const { blockSize, bytesPerPixel } = opts;
  const limits = opts.limits ?? DEFAULT_JOB_LIMITS;
  checkGridSize(grid, limits);
  const limit = maxPixels(opts.budgetBytes, bytesPerPixel);
  const smallest = { width: Math.min(blockSize, grid.width), height: Math.min(blockSize, grid.height) };
  if (limit < smallest.width * smallest.height) {
    const need = Math.ceil(budgetNeeded(peakBytes(smallest.width * smallest.height, bytesPerPixel)) / 2 ** 20);
    throw new InputError('memory', `${mb(opts.budgetBytes)} MB cannot hold the smallest partition of this job, one ${smallest.width}x${smallest.height} block ` +
      `(${need} MB needed: ${mb(BASELINE_BYTES)} MB runtime + ${formatNumber(bytesPerPixel)} bytes/pixel with ${Math.round((1 - HEADROOM) * 100)} % headroom)`);
  }
  const blockRows = Math.ceil(grid.height / blockSize);
  const blockCols = Math.ceil(grid.width / blockSize);
  const want = Math.max(1, opts.minPartitions ?? 1);

  const rowsFit = Math.floor(limit / (grid.width * blockSize));
  if (rowsFit >= 1 && (blockRows >= want || blockCols === 1)) {
    const strips = Math.max(Math.ceil(blockRows / rowsFit), Math.min(want, blockRows));
    const rowsPerStrip = Math.ceil(blockRows / strips);
    return windowsOf(grid, blockSize, rowsPerStrip, blockCols, bytesPerPixel, limits);
  }
  // One block row is too big (or too few rows to share out): split rows into runs of blocks.
  const colsFit = Math.max(1, Math.floor(limit / (blockSize * Math.min(blockSize, grid.height))));
  const perRowWant = Math.ceil(want / blockRows);
  const runs = Math.max(Math.ceil(blockCols / colsFit), Math.min(perRowWant, blockCols));
  return windowsOf(grid, blockSize, 1, Math.ceil(blockCols / runs), bytesPerPixel, limits);
}

function windowsOf(grid: Grid, blockSize: number, rowsPer: number, colsPer: number, bytesPerPixel: number, limits: JobLimits): PartitionSpec[] {
  const out: PartitionSpec[] = [];
  const stepY = rowsPer * blockSize, stepX = colsPer * blockSize;
  checkPartitionCount(Math.ceil(grid.height / stepY) * Math.ceil(grid.width / stepX), limits);
  for (let y = 0; y < grid.height; y += stepY) {
    for (let x = 0; x < grid.width; x += stepX) {
      const window: Window = { x, y, width: Math.min(stepX, grid.width - x), height: Math.min(stepY, grid.height - y) };
      out.push({ id: windowId(window), window, estimatedPeakBytes: peakBytes(window.width * window.height, bytesPerPixel) });
    }
  }
  return out;
}

/** A partition id that says what it covers, so ids are the same whenever the same window is planned. */
export function windowId(w: Window): string {
  const pad = (n: number) => String(n).padStart(5, '0');
  return `r${pad(w.y)}-c${pad(w.x)}-${w.width}x${w.height}`;
}
