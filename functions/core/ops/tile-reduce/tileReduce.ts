/**
 * tile-reduce: band maths per item, then a reducer across the time series, per pixel.
 *
 * @example
 * // params: { expression: '(nir - red) / (nir + red)', reducer: 'median', mask: { asset: 'scl', exclude: [3, 8, 9] } }
 */
import { assetsOf, parseExpression } from '../../expr/parseExpression.ts';
import { compileExpression } from '../../expr/compileExpression.ts';
import { withQuotingHint } from '../../expr/quotingHint.ts';
import { gridFromSpec } from '../../geo/gridOps.ts';
import { OUTPUT_BLOCK_SIZE } from '../../plan/planWindows.ts';
import { planCogWindows } from '../../plan/cogLevels.ts';
import type { Grid } from '../../raster/types.ts';
import type { MaskSpec } from '../../contract/commonSchemas.ts';
import { createReducer, reducerBytesPerPixel, type ReducerName } from '../reducers.ts';
import { mergeRaster, type RasterProduct } from '../mergeRaster.ts';
import { encodeRasterPart } from '../rasterPart.ts';
import { applyMask, checkItemAssets, openItemAsset, readItemAsset, setupItemsOf, type SetupItem } from '../readItemAsset.ts';
import { radiometryRecord } from '../radiometryRecord.ts';
import type { Operation } from '../types.ts';
import type { TileReduceParams } from './params.ts';

export interface TileReduceSetup {
  grid: Grid;
  expression: string;
  inputs: string[];
  reducer: ReducerName;
  mask?: MaskSpec;
  items: SetupItem[];
  blockSize: number;
}

/** The assets the expression reads, then the mask's. */
function tileReduceKeys(params: TileReduceParams): string[] {
  const inputs = assetsOf(parseExpression(params.expression, 'params.expression'));
  return params.mask ? [...inputs, params.mask.asset] : inputs;
}

export const tileReduce: Operation<TileReduceSetup> = {
  name: 'tile-reduce',

  gridAsset(job) {
    const params = job.params as TileReduceParams;
    return params.grid ? undefined : assetsOf(parseExpression(params.expression, 'params.expression'))[0];
  },

  assetKeys: (job) => tileReduceKeys(job.params as TileReduceParams),

  async prepare(job, items) {
    const params = job.params as TileReduceParams;
    const inputs = assetsOf(parseExpression(params.expression, 'params.expression'));
    const keys = tileReduceKeys(params);
    const setupItems = withQuotingHint(() => setupItemsOf(items, keys, params.radiometry), [params.expression], items);
    const first = (await openItemAsset(setupItems[0], inputs[0])).info;
    const grid = params.grid ? gridFromSpec(params.grid) : first.grid;
    await checkItemAssets(setupItems, keys, grid, params.mask);
    // Windows follow the inputs' own blocks when the output is on their grid: each block is read once.
    const blockSize = !params.grid && first.blockWidth === first.blockHeight ? first.blockWidth : OUTPUT_BLOCK_SIZE;
    return { grid, expression: params.expression, inputs, reducer: params.reducer, mask: params.mask, items: setupItems, blockSize };
  },

  plan(setup, options) {
    const bpp = bytesPerPixel(setup);
    const { partitions, cogLevels, mergePeakBytes, mergeHolds } = planCogWindows(setup.grid, {
      bytesPerPixel: bpp, budgetBytes: options.budgetBytes, blockSize: setup.blockSize, minPartitions: options.minPartitions, limits: options.limits,
      bands: 1, dtype: 'float32',
    });
    return {
      partitions,
      mergePeakBytes,
      mergeHolds,
      model: { bytesPerPixel: bpp, items: setup.items.length, inputs: setup.inputs.join(','), reducer: setup.reducer, cogLevels },
    };
  },

  async runPartition(setup, partition) {
    const window = partition.window!;
    const pixels = window.width * window.height;
    const evaluate = compileExpression(parseExpression(setup.expression), setup.inputs);
    const reducer = createReducer(setup.reducer, pixels, setup.items.length);
    const exclude = new Set(setup.mask?.exclude ?? []);
    const layer = new Float32Array(pixels);
    for (const item of setup.items) {
      const [values, mask] = await Promise.all([
        Promise.all(setup.inputs.map((key) => readItemAsset(item, key, setup.grid, window))),
        setup.mask ? readItemAsset(item, setup.mask.asset, setup.grid, window, true) : undefined,
      ]);
      if (mask) applyMask(values, mask, exclude);
      evaluate(values, layer);
      reducer.add(layer);
    }
    return encodeRasterPart(productOf(setup), partition, [reducer.result()]);
  },

  async merge(setup, partitions, parts, sink) {
    const summary = await mergeRaster(productOf(setup), partitions, parts, sink);
    return { ...summary, properties: { ...summary.properties, 'eofn:radiometry': radiometryRecord(setup.items) } };
  },
};

/** The product, said once for the partitions (which compress its tiles) and the merge. */
function productOf(setup: TileReduceSetup): RasterProduct {
  return {
    grid: setup.grid, dtype: 'float32', nodata: NaN,
    descriptions: [`${setup.reducer}(${setup.expression})`],
    metadata: { EOFN_OP: 'tile-reduce', EOFN_EXPRESSION: setup.expression, EOFN_REDUCER: setup.reducer },
    previewBands: [0],
    previewRamp: setup.reducer === 'count' || setup.reducer === 'std' ? 'viridis' : 'ndvi',
  };
}

/** Per output pixel: decoded inputs (native + float32), the mask, one layer, the reducer, the result. */
function bytesPerPixel(setup: TileReduceSetup): number {
  const inputs = setup.inputs.length * (4 + 4);
  const mask = setup.mask ? 4 + 4 : 0;
  return inputs + mask + 4 + reducerBytesPerPixel(setup.reducer, setup.items.length) + 4;
}
