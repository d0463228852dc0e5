/**
 * What composite's `prepare` hands to its partitions and merge: the output grid, what is read per item and
 * how pixels are combined. Its own file so that `orderStatisticComposite.ts` can take it without importing
 * `composite.ts`, which calls it.
 *
 * @example
 * const setup: CompositeSetup = await composite.prepare(job, items);
 * setup.reads; // ['red', 'green', 'blue', 'nir']
 */
import type { MaskSpec } from '../../contract/commonSchemas.ts';
import type { DType, Grid } from '../../raster/types.ts';
import type { SetupItem } from '../readItemAsset.ts';
import type { CompositeMethod } from './params.ts';

export interface CompositeSetup {
  grid: Grid;
  assets: string[];
  method: CompositeMethod;
  mask?: MaskSpec;
  /** NDVI inputs of max-ndvi. */
  ndvi?: { red: string; nir: string };
  /** Every asset read per item: the output assets, then NDVI inputs not among them. */
  reads: string[];
  dtype: DType;
  /** NaN for float output; for integer output the inputs' nodata (0 when they declare none). */
  nodata: number;
  items: SetupItem[];
  blockSize: number;
}
