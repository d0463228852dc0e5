/**
 * composite: a per-pixel temporal composite of several assets across items, one band per asset plus a
 * `count` band (valid observations per pixel).
 *
 * @example
 * // params: { assets: ['red', 'green', 'blue', 'nir'], method: 'median', mask: { asset: 'scl', exclude: [3, 8, 9] } }
 */
import { OUTPUT_BLOCK_SIZE } from '../../plan/planWindows.ts';
import { planCogWindows } from '../../plan/cogLevels.ts';
import { bytesPerSample, isFloat } from '../../raster/dtypes.ts';
import { fitsDtype } from '../../raster/fitsDtype.ts';
import type { DType } from '../../raster/types.ts';
import { createReducer, percentileOf, reducerBytesPerPixel, type ReducerName } from '../reducers.ts';
import { mergeRaster, type RasterProduct } from '../mergeRaster.ts';
import { encodeRasterPart } from '../rasterPart.ts';
import { applyMask, checkItemAssets, openItemAsset, readItemAsset, setupItemsOf } from '../readItemAsset.ts';
import { InputError } from '../../errors.ts';
import { isIdentity } from '../../stac/assetRadiometry.ts';
import { radiometryRecord } from '../radiometryRecord.ts';
import type { Operation } from '../types.ts';
import { createMaxNdviPicker, keepJointlyValid, toDtype } from './compositeKernels.ts';
import { orderStatisticComposite } from './orderStatisticComposite.ts';
import { PICKING_METHODS, type CompositeParams } from './params.ts';
import type { CompositeSetup } from './compositeSetup.ts';

export type { CompositeSetup } from './compositeSetup.ts';

/** The assets a composite reads (its assets, and red/nir for max-ndvi), then with the mask. */
function compositeKeys(params: CompositeParams): { ndvi?: { red: string; nir: string }; reads: string[]; keys: string[] } {
  const ndvi = params.method === 'max-ndvi' ? (params.ndvi ?? { red: 'red', nir: 'nir' }) : undefined;
  const reads = [...new Set([...params.assets, ...(ndvi ? [ndvi.red, ndvi.nir] : [])])];
  return { ndvi, reads, keys: params.mask ? [...reads, params.mask.asset] : reads };
}

export const composite: Operation<CompositeSetup> = {
  name: 'composite',

  gridAsset: (job) => (job.params as CompositeParams).assets[0],

  assetKeys: (job) => compositeKeys(job.params as CompositeParams).keys,

  async prepare(job, items) {
    const params = job.params as CompositeParams;
    const { ndvi, reads, keys } = compositeKeys(params);
    const setupItems = setupItemsOf(items, keys, params.radiometry);
    const first = await openItemAsset(setupItems[0], params.assets[0]);
    const grid = first.info.grid;
    await checkItemAssets(setupItems, keys, grid, params.mask);
    const inputTypes = await Promise.all(params.assets.map(async (k) => (await openItemAsset(setupItems[0], k)).info));
    // Scaled values (reflectance 0.0734) are not digital numbers: they keep float32 unless asked otherwise.
    const scaled = setupItems.flatMap((item) => reads.filter((k) => !isIdentity(item.assets[k])).map((k) => `items[${item.index}] asset "${k}"`));
    const inputDtype = scaled.length === 0 && inputTypes.every((i) => i.dtype === inputTypes[0].dtype) ? inputTypes[0].dtype : 'float32';
    const dtype: DType = params.dtype ?? (PICKING_METHODS.includes(params.method) ? inputDtype : 'float32');
    if (scaled.length > 0 && !isFloat(dtype)) {
      throw new InputError('params.dtype', `${dtype} cannot hold the scaled values of ${scaled[0]} (STAC scale/offset applied); use float32, or params.radiometry "raw" for digital numbers`);
    }
    const declared = inputTypes[0].nodata ?? setupItems[0].assets[params.assets[0]].nodata;
    const nodata = isFloat(dtype) ? NaN : declared !== undefined && fitsDtype(declared, dtype) ? declared : 0;
    return {
      grid, assets: params.assets, method: params.method, mask: params.mask, ndvi, reads,
      dtype, nodata, items: setupItems, blockSize: OUTPUT_BLOCK_SIZE,
    };
  },

  plan(setup, options) {
    const bpp = compositeBytesPerPixel(setup);
    const { partitions, cogLevels, mergePeakBytes, mergeHolds } = planCogWindows(setup.grid, {
      bytesPerPixel: bpp, budgetBytes: options.budgetBytes, blockSize: setup.blockSize, minPartitions: options.minPartitions, limits: options.limits,
      bands: setup.assets.length + 1, dtype: setup.dtype,
    });
    return {
      partitions,
      mergePeakBytes,
      mergeHolds,
      model: {
        bytesPerPixel: bpp, items: setup.items.length, assets: setup.assets.join(','), method: setup.method,
        dtype: setup.dtype, formula: COMPOSITE_MODEL, cogLevels,
      },
    };
  },

  async runPartition(setup, partition) {
    const window = partition.window!;
    const q = setup.ndvi ? undefined : percentileOf(setup.method as ReducerName);
    if (q !== undefined) {
      const { results, count } = await orderStatisticComposite(setup, window, q);
      const bands = [...results.map((r) => toDtype(r, setup.dtype, setup.nodata)), toDtype(count, setup.dtype, setup.nodata)];
      return encodeRasterPart(productOf(setup), partition, bands);
    }
    const pixels = window.width * window.height;
    const exclude = new Set(setup.mask?.exclude ?? []);
    const count = new Float32Array(pixels);
    const picker = setup.ndvi ? createMaxNdviPicker(pixels, setup.assets.length) : undefined;
    const reducers = picker ? [] : setup.assets.map(() => createReducer(setup.method as ReducerName, pixels, setup.items.length));
    for (const item of setup.items) {
      const [layers, mask] = await Promise.all([
        Promise.all(setup.reads.map((key) => readItemAsset(item, key, setup.grid, window))),
        setup.mask ? readItemAsset(item, setup.mask.asset, setup.grid, window, true) : undefined,
      ]);
      if (mask) applyMask(layers, mask, exclude);
      keepJointlyValid(layers, count);
      const assetLayers = setup.assets.map((k) => layers[setup.reads.indexOf(k)]);
      if (picker) picker.add(assetLayers, layers[setup.reads.indexOf(setup.ndvi!.red)], layers[setup.reads.indexOf(setup.ndvi!.nir)]);
      else reducers.forEach((r, a) => r.add(assetLayers[a]));
    }
    const results = picker ? picker.result() : reducers.map((r) => r.result());
    const bands = [...results.map((r) => toDtype(r, setup.dtype, setup.nodata)), toDtype(count, setup.dtype, setup.nodata)];
    return encodeRasterPart(productOf(setup), partition, bands);
  },

  async merge(setup, partitions, parts, sink) {
    const summary = await mergeRaster(productOf(setup), partitions, parts, sink);
    return { ...summary, properties: { ...summary.properties, 'eofn:radiometry': radiometryRecord(setup.items) } };
  },
};

/** The product, said once for the partitions (which compress its tiles) and the merge. */
function productOf(setup: CompositeSetup): RasterProduct {
  const rgb = ['red', 'green', 'blue'].map((k) => setup.assets.indexOf(k));
  return {
    grid: setup.grid, dtype: setup.dtype, nodata: setup.nodata,
    descriptions: [...setup.assets, 'count'],
    metadata: { EOFN_OP: 'composite', EOFN_METHOD: setup.method, EOFN_ASSETS: setup.assets.join(',') },
    previewBands: rgb.every((i) => i >= 0) ? rgb : [0],
    previewRamp: 'gray',
  };
}

const COMPOSITE_MODEL = 'reads*(4+4) + mask*(4+4) + assets*reducer(method,items) [max-ndvi: 8+assets*4] + count 4 + (assets+1)*out*2';

/**
 * Per output pixel: each asset read as float32 beside its decoded native block (8), the mask (8), each
 * asset's reducer (order statistics keep items*4 + 4, streaming ones a few accumulators; max-ndvi keeps
 * the best NDVI in float64 and one picked value per asset), the count, and the output bands twice (the
 * cast results and the encoded part).
 */
export function compositeBytesPerPixel(setup: CompositeSetup): number {
  const reads = setup.reads.length * (4 + 4);
  const mask = setup.mask ? 4 + 4 : 0;
  const reducers = setup.ndvi
    ? 8 + setup.assets.length * 4
    : setup.assets.length * reducerBytesPerPixel(setup.method as ReducerName, setup.items.length);
  const out = (setup.assets.length + 1) * bytesPerSample(setup.dtype) * 2;
  return reads + mask + reducers + 4 + out;
}
