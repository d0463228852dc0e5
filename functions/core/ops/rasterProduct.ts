/**
 * What a raster op's product is, said once per op and used on both sides: a partition compresses its COG
 * tiles and quicklook sums for it, the merge stitches them into it.
 *
 * @example
 * const product: RasterProduct = { grid, dtype: 'float32', nodata: NaN, descriptions: ['ndvi'], previewBands: [0] };
 */
import type { DType, Grid } from '../raster/types.ts';

export interface RasterProduct {
  grid: Grid;
  dtype: DType;
  descriptions: string[];
  nodata?: number;
  metadata?: Record<string, string>;
  /** Bands (by index) drawn in the quicklook: one band through a ramp, or three as RGB. */
  previewBands: number[];
  previewRamp?: 'ndvi' | 'gray' | 'viridis';
  previewRange?: [number, number];
}

export const COG_TYPE = 'image/tiff; application=geotiff; profile=cloud-optimized';

/** Longest side of the quicklook. */
export const PREVIEW_SIZE = 512;

/**
 * Integer products get nearest-neighbour overviews, whose speckle would show in a quicklook, so their
 * quicklook averages the full-resolution bands: partitions send their share of those sums.
 */
export function previewFromSums(dtype: DType): boolean {
  return dtype !== 'float32' && dtype !== 'float64';
}

/**
 * The partition's data that says how many overview levels it compresses itself (`plan/cogLevels.ts`):
 * -1 when its window is not aligned to the COG's tiles and it sends its pixels for the merge to compress.
 */
export function cogLevelsOf(data: unknown): number {
  const levels = (data as { cogLevels?: unknown } | undefined)?.cogLevels;
  return typeof levels === 'number' && Number.isInteger(levels) && levels >= -1 ? levels : -1;
}
