/**
 * The merge step of the raster ops: copy each partition's window into the full product, write it as a
 * COG and a quicklook. Parts are read one at a time so that only one is in memory beside the product.
 *
 * @example
 * await mergeRaster({ grid, dtype: 'float32', descriptions: ['ndvi'], nodata: NaN }, partitions, parts, sink);
 */
import { join } from 'node:path';
import { allocate } from '../raster/dtypes.ts';
import type { DType, Grid, TypedArray } from '../raster/types.ts';
import { writeCog, type TileSource } from '../raster/cog/writeCog.ts';
import { renderPreview } from '../raster/preview/preview.ts';
import { decodeRasterPart } from './rasterPart.ts';
import type { PartStore, ProductSink, ProductSummary } from './types.ts';
import type { PartitionSpec } from '../plan/types.ts';

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

export async function mergeRaster(
  product: RasterProduct,
  partitions: PartitionSpec[],
  parts: PartStore,
  sink: ProductSink,
): Promise<ProductSummary> {
  const { grid } = product;
  const bands = product.descriptions.map(() => allocate(product.dtype, grid.width * grid.height));
  for (const p of partitions) {
    const part = decodeRasterPart(await parts.read(p.id), p.id);
    part.bands.forEach((src, b) => pasteWindow(bands[b], grid.width, src, part.window));
  }
  const local = join(sink.scratchDir, 'result.tif');
  const render = (source: TileSource) => renderPreview(product.previewBands.map((b) => source.bands[b]), source.width, source.height,
    { ramp: product.previewRamp, nodata: product.nodata, range: product.previewRange, maxSize: PREVIEW_SIZE,
      legend: product.previewBands.length === 1 ? product.descriptions[product.previewBands[0]] : undefined });
  let preview: Uint8Array | undefined;
  await writeCog(local, {
    grid, bands, dtype: product.dtype, nodata: product.nodata,
    descriptions: product.descriptions, metadata: product.metadata,
    onOverviews: (levels) => {
      const source = previewSource(product.dtype, levels);
      if (source) preview = render(source);
    },
  });
  const resultHref = await sink.writeFile('result.tif', local, COG_TYPE);
  preview ??= render({ bands, width: grid.width, height: grid.height });
  const previewHref = await sink.write('preview.png', preview, 'image/png');
  return {
    grid,
    assets: {
      result: {
        href: resultHref, type: COG_TYPE, roles: ['data'], title: product.descriptions.join(', '),
        'raster:bands': product.descriptions.map((d) => ({ name: d, data_type: product.dtype, nodata: nodataJson(product.nodata) })),
      },
      preview: { href: previewHref, type: 'image/png', roles: ['overview'], title: 'Quicklook' },
    },
  };
}

const PREVIEW_SIZE = 512;

/**
 * The smallest averaged overview still at least as large as the quicklook: shrinking it costs a few
 * milliseconds instead of a pass over the full-resolution band. Integer products get nearest-neighbour
 * overviews, whose speckle would show, so they keep the full-resolution path.
 */
function previewSource(dtype: DType, levels: readonly TileSource[]): TileSource | undefined {
  if (dtype !== 'float32' && dtype !== 'float64') return undefined;
  let best: TileSource | undefined;
  for (const l of levels) if (Math.max(l.width, l.height) >= PREVIEW_SIZE) best = l;
  return best;
}

function nodataJson(v: number | undefined): number | string | undefined {
  return v === undefined ? undefined : Number.isNaN(v) ? 'nan' : v;
}

function pasteWindow(dst: TypedArray, dstWidth: number, src: TypedArray, w: { x: number; y: number; width: number; height: number }): void {
  for (let row = 0; row < w.height; row++) {
    dst.set(src.subarray(row * w.width, (row + 1) * w.width), (w.y + row) * dstWidth + w.x);
  }
}
