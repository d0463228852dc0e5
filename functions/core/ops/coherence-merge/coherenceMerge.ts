/**
 * coherence-merge: Sentinel-1 coherence rasters from any orbits, frames and dates, warped onto one grid and
 * merged per pixel (mean, median, min, max, first, last by item datetime), with a `count` band.
 *
 * @example
 * // params: { method: 'mean', resampling: 'bilinear',
 * //           grid: { crs: 'EPSG:32614', bounds: [480000, 2140000, 495000, 2150000], resolution: 150 } }
 */
import { detailOf, InputError, relocate } from '../../errors.ts';
import { boundsInCrs, gridsOverlap, sourcePixelsPerTargetPixel } from '../../geo/boundsInCrs.ts';
import { projDefOf } from '../../geo/crs.ts';
import { gridFromSpec } from '../../geo/gridOps.ts';
import { OUTPUT_BLOCK_SIZE } from '../../plan/planWindows.ts';
import { planCogWindows } from '../../plan/cogLevels.ts';
import { bytesPerSample } from '../../raster/dtypes.ts';
import type { Grid } from '../../raster/types.ts';
import { warpOnGrid, type Resampling } from '../../raster/warp/warp.ts';
import type { ResolvedItem } from '../../stac/resolveItems.ts';
import { isIdentity, type RadiometryMode } from '../../stac/assetRadiometry.ts';
import { setupAssetOf, type SetupAsset } from '../readItemAsset.ts';
import { createReducer, reducerBytesPerPixel, type ReducerName } from '../reducers.ts';
import { mergeRaster, type RasterProduct } from '../mergeRaster.ts';
import { encodeRasterPart } from '../rasterPart.ts';
import { openRasterCached } from '../openRasterCached.ts';
import { radiometryOfSetup } from '../radiometryRecord.ts';
import type { Operation } from '../types.ts';
import type { CoherenceMergeParams } from './params.ts';

export interface CoherenceItem {
  id: string;
  index: number;
  datetime: string | null;
  href: string;
  /** The asset's STAC radiometry (coherence files rarely carry any: then scale 1, offset 0). */
  asset: Omit<SetupAsset, 'href'>;
  /** Source pixels read per output pixel, and their size: the memory model's share of this input. */
  sourcePixelsPerPixel: number;
  sourceBytesPerSample: number;
}

export interface CoherenceMergeSetup {
  grid: Grid;
  asset: string;
  method: ReducerName;
  resampling: Resampling;
  nodata?: number;
  items: CoherenceItem[];
  /** Inputs that contribute nothing, with why: reported in the product's `eofn:skipped`. */
  skipped: { id: string; index: number; reason: string }[];
  blockSize: number;
}

export const coherenceMerge: Operation<CoherenceMergeSetup> = {
  name: 'coherence-merge',

  async prepare(job, items) {
    const params = job.params as CoherenceMergeParams;
    if (params.grid) placeable(params.grid.crs, 'params.grid.crs');
    const opened = await Promise.all(items.map((item) => openInput(item, params.asset, params.radiometry)));
    const grid = params.grid ? gridFromSpec(params.grid) : opened[0].grid;
    const setupItems: CoherenceItem[] = [];
    const skipped: CoherenceMergeSetup['skipped'] = [];
    for (const { item, href, grid: src, dtype, asset } of opened) {
      if (!gridsOverlap(src, grid)) {
        skipped.push({ id: item.id, index: item.index, reason: `no overlap with the output grid (input bounds ${fmt(boundsInCrs(src, grid.crs))} in ${grid.crs})` });
        continue;
      }
      setupItems.push({
        id: item.id, index: item.index, datetime: item.datetime, href, asset,
        sourcePixelsPerPixel: sourcePixelsPerTargetPixel(src, grid), sourceBytesPerSample: bytesPerSample(dtype),
      });
    }
    if (setupItems.length === 0) {
      throw new InputError('items', `none of the ${items.length} inputs overlaps the output grid (${grid.crs}, ${grid.width}x${grid.height} px)`);
    }
    return {
      grid, asset: params.asset, method: params.method, resampling: params.resampling, nodata: params.nodata,
      items: setupItems, skipped, blockSize: OUTPUT_BLOCK_SIZE,
    };
  },

  plan(setup, options) {
    const bpp = coherenceBytesPerPixel(setup);
    const { partitions, cogLevels, mergePeakBytes, mergeHolds } = planCogWindows(setup.grid, {
      bytesPerPixel: bpp, budgetBytes: options.budgetBytes, blockSize: setup.blockSize, minPartitions: options.minPartitions, limits: options.limits,
      bands: 2, dtype: 'float32',
    });
    return {
      partitions,
      mergePeakBytes,
      mergeHolds,
      model: { bytesPerPixel: bpp, items: setup.items.length, skipped: setup.skipped.length, method: setup.method, formula: COHERENCE_MODEL, cogLevels },
    };
  },

  async runPartition(setup, partition) {
    const window = partition.window!;
    const pixels = window.width * window.height;
    const reducer = createReducer(setup.method, pixels, setup.items.length);
    const count = new Float32Array(pixels);
    // One input at a time: the memory model holds a single source window.
    for (const item of setup.items) {
      let layer: Float32Array;
      try {
        const raster = await openRasterCached(item.href);
        layer = await warpOnGrid(raster, setup.grid, window, { resampling: setup.resampling, nodata: setup.nodata ?? raster.info.nodata ?? item.asset.nodata ?? 0 });
      } catch (e) {
        // Bad input stays permanent; a read that failed (network, 5xx) stays retryable.
        throw relocate(e, `items[${item.index}] (${item.id}) asset "${setup.asset}" (${item.href})`);
      }
      // Both resamplings are linear in the values: scaling after the warp equals scaling before it.
      if (!isIdentity(item.asset)) for (let i = 0; i < pixels; i++) layer[i] = layer[i] * item.asset.scale + item.asset.offset;
      for (let i = 0; i < pixels; i++) if (layer[i] === layer[i]) count[i]++;
      reducer.add(layer);
    }
    return encodeRasterPart(productOf(setup), partition, [reducer.result(), count]);
  },

  async merge(setup, partitions, parts, sink) {
    const summary = await mergeRaster(productOf(setup), partitions, parts, sink);
    return { ...summary, properties: { ...summary.properties, 'eofn:skipped': setup.skipped, 'eofn:radiometry': radiometryOfSetup(setup) } };
  },
};

/** The product, said once for the partitions (which compress its tiles) and the merge. */
function productOf(setup: CoherenceMergeSetup): RasterProduct {
  return {
    grid: setup.grid, dtype: 'float32', nodata: NaN,
    descriptions: [`${setup.method}(${setup.asset})`, 'count'],
    metadata: { EOFN_OP: 'coherence-merge', EOFN_METHOD: setup.method, EOFN_RESAMPLING: setup.resampling },
    previewBands: [0], previewRamp: 'viridis', previewRange: [0, 1],
  };
}

async function openInput(item: ResolvedItem, name: string, mode: RadiometryMode | undefined) {
  const { href, ...asset } = setupAssetOf(item, name, mode);
  const where = `items[${item.index}] (${item.id}) asset "${name}" (${href})`;
  let info;
  try {
    info = (await openRasterCached(href)).info;
  } catch (e) {
    // At acceptance any input that cannot be opened rejects the job, as openItemAsset does.
    throw new InputError(where, detailOf(e), { cause: e });
  }
  placeable(info.grid.crs, where);
  return { item, href, grid: info.grid, dtype: info.dtype, asset };
}

/** Fails before any work, naming where the CRS came from, when geo/crs.ts cannot place it. */
function placeable(crs: string, where: string): void {
  try {
    projDefOf(crs);
  } catch (e) {
    throw new InputError(where, `cannot reproject from/to CRS "${crs}": ${(e as Error).message}`);
  }
}

function fmt(b: number[] | undefined): string {
  return b ? `[${b.map((v) => +v.toFixed(3)).join(', ')}]` : '(not projectable)';
}

const COHERENCE_MODEL = 'coords 16 + layer 4 + max(srcPx/px * 2 * srcBytes) + reducer(method,items) + count 4 + 2 bands*4*2';

/**
 * Per output pixel: the source coordinates (two float64), the warped layer, the largest input's source
 * window in its dtype twice over (its outline's bounding box overestimates a rotated window, and the decode
 * holds a copy), the reducer, the count, and the two output bands twice (results and encoded part).
 */
export function coherenceBytesPerPixel(setup: CoherenceMergeSetup): number {
  const source = Math.max(...setup.items.map((i) => i.sourcePixelsPerPixel * 2 * i.sourceBytesPerSample * 2));
  return 16 + 4 + source + reducerBytesPerPixel(setup.method, setup.items.length) + 4 + 2 * 4 * 2;
}
