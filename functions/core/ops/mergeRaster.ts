/**
 * The merge step of the raster ops: stitch the COG tiles the partitions compressed into one COG, streamed
 * to the output as it is assembled, and a quicklook. The merge holds only the product at the partitions'
 * coarsest compressed level (a sixteenth of it or less), the overviews coarser than that, which it makes
 * and compresses itself, and a few megabytes of tiles in flight: its memory no longer grows with the
 * product, and no copy of the product is made on local disk. The bytes are those `writeCog` writes for the
 * whole product in one process (same layout, codec and overviews).
 *
 * @example
 * await mergeRaster({ grid, dtype: 'float32', descriptions: ['ndvi'], nodata: NaN, previewBands: [0] }, partitions, parts, sink);
 */
import { allocate } from '../raster/dtypes.ts';
import { InputError } from '../errors.ts';
import type { TypedArray, Window } from '../raster/types.ts';
import { cogLayout, encodeCogHead, type CogLayout } from '../raster/cog/cogLayout.ts';
import { halveImage } from '../raster/cog/overviews.ts';
import { encodeTile, type TileSource } from '../raster/cog/tiffWriterTiles.ts';
import { TILE_LEADER_BYTES, TILE_TRAILER_BYTES } from '../raster/cog/tiffWriterHeader.ts';
import { compressTilesInOrder } from '../raster/cog/writeCogTiles.ts';
import { renderAveragedPreview } from '../raster/preview/preview.ts';
import { boxAverage, previewSize } from '../raster/preview/previewResample.ts';
import { partTileRow, readPartCoarse, readPartPreviewSums, readRasterPartHeader, type PartRangeReader, type RasterPartHeader } from './rasterPart.ts';
import { COG_TYPE, PREVIEW_SIZE, previewFromSums, type RasterProduct } from './rasterProduct.ts';
import type { PartStore, ProductSink, ProductSummary } from './types.ts';
import type { PartitionSpec } from '../plan/types.ts';

export { COG_TYPE } from './rasterProduct.ts';
export type { RasterProduct } from './rasterProduct.ts';

/** Largest single range read of a part while streaming (a tile row of a full-width strip is a few MB). */
const READ_CHUNK_BYTES = 8 * 2 ** 20;

export async function mergeRaster(
  product: RasterProduct,
  partitions: PartitionSpec[],
  parts: PartStore,
  sink: ProductSink,
): Promise<ProductSummary> {
  // Parts are read by range, never whole: a part is as large as its window's share of the COG.
  const rangeOf = (id: string): PartRangeReader => (offset, length) => parts.readRange(id, offset, length);
  const layout = cogLayout({
    grid: product.grid, bands: product.descriptions.length, dtype: product.dtype, nodata: product.nodata,
    descriptions: product.descriptions, metadata: product.metadata,
  });
  const headers = await readHeaders(product, partitions, rangeOf);
  // -1: the parts sent full-resolution pixels (windows not on the COG's tiles); the merge compresses all.
  const cogLevels = Math.min(headers[0]?.header.cogLevels ?? -1, layout.levels.length - 1);
  const coarseLevel = Math.max(cogLevels, 0);
  const coarse = await assembleCoarse(product, layout, headers, rangeOf, coarseLevel);
  const levels = overviewsFrom(coarse, layout, coarseLevel, product.nodata);
  const made = await compressLevels(levels, layout, cogLevels);
  const { segments, placed, end } = placeTiles(layout, headers, made, cogLevels);
  const head = encodeCogHead(layout, placed, end);
  const resultHref = await sink.writeStream('result.tif', streamCog(head, made, segments, rangeOf), COG_TYPE);

  const preview = previewFromSums(product.dtype)
    ? await previewOfSums(product, headers, rangeOf)
    : previewOfLevels(product, layout, levels, coarseLevel);
  const previewHref = await sink.write('preview.png', preview, 'image/png');
  return {
    grid: product.grid,
    assets: {
      result: {
        href: resultHref, type: COG_TYPE, roles: ['data'], title: product.descriptions.join(', '),
        'raster:bands': product.descriptions.map((d) => ({ name: d, data_type: product.dtype, nodata: nodataJson(product.nodata) })),
      },
      preview: { href: previewHref, type: 'image/png', roles: ['overview'], title: 'Quicklook' },
    },
  };
}

interface PartHeader {
  id: string;
  header: RasterPartHeader;
}

/** Every part's header, checked against its partition and the product; all must compress the same levels. */
async function readHeaders(product: RasterProduct, partitions: PartitionSpec[], rangeOf: (id: string) => PartRangeReader): Promise<PartHeader[]> {
  const out: PartHeader[] = [];
  for (const p of partitions) {
    const header = await readRasterPartHeader(rangeOf(p.id), p.id);
    const w = p.window!;
    const same = header.window.x === w.x && header.window.y === w.y && header.window.width === w.width && header.window.height === w.height;
    if (!same || header.dtype !== product.dtype || header.bands !== product.descriptions.length) {
      throw new InputError(p.id, `partition result is for window ${fmtWindow(header.window)}, ${header.bands} ${header.dtype} band(s); the plan has ${fmtWindow(w)}, ${product.descriptions.length} ${product.dtype}`);
    }
    if (out.length && header.cogLevels !== out[0].header.cogLevels) {
      throw new InputError(p.id, `partition result compresses ${header.cogLevels} overview level(s), ${out[0].id} ${out[0].header.cogLevels}: parts of two plans`);
    }
    out.push({ id: p.id, header });
  }
  return out;
}

/** The product at level `level`, pasted together from the parts' coarse windows. */
async function assembleCoarse(product: RasterProduct, layout: CogLayout, headers: PartHeader[], rangeOf: (id: string) => PartRangeReader, level: number): Promise<TileSource> {
  const size = layout.levels[level];
  const bands = product.descriptions.map(() => allocate(product.dtype, size.width * size.height));
  for (const { id, header } of headers) {
    const part = await readPartCoarse(rangeOf(id), header, id);
    part.forEach((src, b) => pasteWindow(bands[b], size.width, src, header.coarse.window));
  }
  return { bands, width: size.width, height: size.height };
}

/** Levels `from`..N, each halved from the one before (index = level; lower indices left empty). */
function overviewsFrom(coarse: TileSource, layout: CogLayout, from: number, nodata: number | undefined): TileSource[] {
  const levels: TileSource[] = [];
  levels[from] = coarse;
  for (let k = from + 1; k < layout.levels.length; k++) {
    const prev = levels[k - 1];
    levels[k] = { bands: prev.bands.map((b) => halveImage(b, prev.width, prev.height, layout.resampling, nodata)), ...layout.levels[k] };
  }
  return levels;
}

interface MadeLevel {
  framed: Buffer[];
  byteCounts: number[];
}

/** The tiles of the levels coarser than the parts', compressed here (small: a sixty-fourth of the product or less). */
async function compressLevels(levels: TileSource[], layout: CogLayout, cogLevels: number): Promise<MadeLevel[]> {
  const made: MadeLevel[] = [];
  for (let k = cogLevels + 1; k < layout.levels.length; k++) {
    const level = levels[k];
    const across = layout.across[k];
    const m: MadeLevel = { framed: [], byteCounts: [] };
    await compressTilesInOrder(across * layout.down[k],
      (t) => encodeTile(level, t % across, Math.floor(t / across), layout.blockSize, layout.fill, layout.predictor),
      (framed, byteCount) => {
        m.framed.push(...framed);
        m.byteCounts.push(byteCount);
      });
    made[k] = m;
  }
  return made;
}

interface Segment {
  id: string;
  offset: number;
  length: number;
}

/**
 * Where every tile lands, in the file's order (smallest overview first, row-major), and the part byte
 * ranges to copy for the levels the parts compressed, merged where a part's rows follow each other.
 */
function placeTiles(layout: CogLayout, headers: PartHeader[], made: MadeLevel[], cogLevels: number) {
  const placed: { offsets: number[]; byteCounts: number[] }[] = [];
  const segments: Segment[] = [];
  let pos = layout.dataStart;
  const place = (byteCount: number, into: { offsets: number[]; byteCounts: number[] }) => {
    into.offsets.push(pos + TILE_LEADER_BYTES);
    into.byteCounts.push(byteCount);
    pos += TILE_LEADER_BYTES + byteCount + TILE_TRAILER_BYTES;
  };
  for (let k = layout.levels.length - 1; k > cogLevels; k--) {
    placed[k] = { offsets: [], byteCounts: [] };
    for (const n of made[k].byteCounts) place(n, placed[k]);
  }
  for (let k = Math.min(cogLevels, layout.levels.length - 1); k >= 0; k--) {
    placed[k] = { offsets: [], byteCounts: [] };
    for (let ty = 0; ty < layout.down[k]; ty++) {
      const row = headers.filter((h) => h.header.levels[k].ty0 <= ty && ty < h.header.levels[k].ty0 + h.header.levels[k].down)
        .sort((a, b) => a.header.levels[k].tx0 - b.header.levels[k].tx0);
      let tx = 0;
      for (const { id, header } of row) {
        const level = header.levels[k];
        if (level.tx0 !== tx) throw new InputError('partitions', `level ${k} tile row ${ty}: no partition covers tile column ${tx} (${id} starts at ${level.tx0})`);
        const first = (ty - level.ty0) * level.across;
        for (let i = first; i < first + level.across; i++) place(level.tileBytes[i], placed[k]);
        const range = partTileRow(header, k, ty);
        const last = segments[segments.length - 1];
        if (last && last.id === id && last.offset + last.length === range.offset) last.length += range.length;
        else segments.push({ id, ...range });
        tx += level.across;
      }
      if (tx !== layout.across[k]) throw new InputError('partitions', `level ${k} tile row ${ty}: partitions cover ${tx} of ${layout.across[k]} tile columns`);
    }
  }
  return { segments, placed, end: pos };
}

/** The file's bytes in order: directories, the merge's own tiles, then the parts' ranges, one read ahead. */
async function* streamCog(head: Uint8Array, made: MadeLevel[], segments: Segment[], rangeOf: (id: string) => PartRangeReader): AsyncGenerator<Uint8Array> {
  yield head;
  for (let k = made.length - 1; k >= 0; k--) if (made[k]) yield* made[k].framed;
  const reads: { id: string; offset: number; length: number }[] = [];
  for (const s of segments) {
    for (let at = 0; at < s.length; at += READ_CHUNK_BYTES) reads.push({ id: s.id, offset: s.offset + at, length: Math.min(READ_CHUNK_BYTES, s.length - at) });
  }
  const fetch = (i: number) => {
    const r = reads[i];
    return rangeOf(r.id)(r.offset, r.length).then((bytes) => {
      if (bytes.byteLength !== r.length) throw new InputError(r.id, 'partition result is truncated');
      return bytes;
    });
  };
  let next = reads.length ? fetch(0) : undefined;
  for (let i = 0; i < reads.length; i++) {
    const current = next!;
    // Started before awaiting this one: the next read overlaps this chunk's upload.
    next = i + 1 < reads.length ? fetch(i + 1) : undefined;
    next?.catch(() => undefined);
    yield await current;
  }
}

/**
 * A float product's quicklook: the smallest averaged overview still at least as large as the quicklook
 * (as one process would pick), or the full resolution when no overview is; the planner keeps the parts'
 * levels at or below that one.
 */
function previewOfLevels(product: RasterProduct, layout: CogLayout, levels: TileSource[], coarseLevel: number): Uint8Array {
  let pick = 0;
  for (let k = 1; k < layout.levels.length; k++) if (Math.max(layout.levels[k].width, layout.levels[k].height) >= PREVIEW_SIZE) pick = k;
  const source = levels[Math.max(pick, coarseLevel)];
  const out = previewSize(source.width, source.height, PREVIEW_SIZE);
  const small = product.previewBands.map((b) => boxAverage(source.bands[b], source.width, source.height, out.width, out.height, product.nodata));
  return renderAveragedPreview(small, out.width, out.height, previewOptions(product));
}

/** An integer product's quicklook: the full-resolution box averages, added up from the parts' sums. */
async function previewOfSums(product: RasterProduct, headers: PartHeader[], rangeOf: (id: string) => PartRangeReader): Promise<Uint8Array> {
  const out = previewSize(product.grid.width, product.grid.height, PREVIEW_SIZE);
  const sums = product.previewBands.map(() => new Float64Array(out.width * out.height));
  const counts = product.previewBands.map(() => new Uint32Array(out.width * out.height));
  for (const { id, header } of headers) {
    const parts = await readPartPreviewSums(rangeOf(id), header, id);
    parts.forEach((p, b) => {
      for (let y = 0; y < p.height; y++) {
        for (let x = 0; x < p.width; x++) {
          const o = (p.y0 + y) * out.width + p.x0 + x;
          sums[b][o] += p.sums[y * p.width + x];
          counts[b][o] += p.counts[y * p.width + x];
        }
      }
    });
  }
  const small = sums.map((s, b) => s.map((v, i) => (counts[b][i] === 0 ? NaN : v / counts[b][i])));
  return renderAveragedPreview(small, out.width, out.height, previewOptions(product));
}

function previewOptions(product: RasterProduct) {
  return {
    ramp: product.previewRamp, nodata: product.nodata, range: product.previewRange, maxSize: PREVIEW_SIZE,
    legend: product.previewBands.length === 1 ? product.descriptions[product.previewBands[0]] : undefined,
  };
}

function nodataJson(v: number | undefined): number | string | undefined {
  return v === undefined ? undefined : Number.isNaN(v) ? 'nan' : v;
}

function fmtWindow(w: Window): string {
  return `${w.width}x${w.height}+${w.x}+${w.y}`;
}

function pasteWindow(dst: TypedArray, dstWidth: number, src: TypedArray, w: Window): void {
  for (let row = 0; row < w.height; row++) {
    dst.set(src.subarray(row * w.width, (row + 1) * w.width), (w.y + row) * dstWidth + w.x);
  }
}
