/**
 * The bytes of one raster partition's result: its share of the product's COG, already compressed. A short
 * JSON header, then the window's pixels at its coarsest compressed level (the merge makes the coarser
 * overviews from them), the quicklook sums of an integer product, and the window's COG tiles of every
 * level 0..cogLevels, each framed as in the file (size leader, data, last 4 bytes), row-major per level
 * (none when cogLevels is -1: a window not on the COG's tiles sends its full-resolution pixels instead).
 * Nothing in it depends on time or machine, so a partition that runs twice writes the same bytes and a
 * duplicate message is harmless.
 *
 * @example
 * const bytes = await encodeRasterPart(product, partition, [ndvi]);
 * const header = await readRasterPartHeader((offset, length) => store.readRange(id, offset, length), id);
 */
import { InputError } from '../errors.ts';
import { ARRAY_OF } from '../raster/dtypes.ts';
import { cogLayout } from '../raster/cog/cogLayout.ts';
import { encodeTile } from '../raster/cog/tiffWriterTiles.ts';
import { compressTilesInOrder } from '../raster/cog/writeCogTiles.ts';
import { windowPyramid } from '../raster/cog/windowPyramid.ts';
import { boxSums, previewSize, type BoxSums } from '../raster/preview/previewResample.ts';
import type { DType, TypedArray, Window } from '../raster/types.ts';
import { cogLevelsOf, previewFromSums, PREVIEW_SIZE, type RasterProduct } from './rasterProduct.ts';
import type { PartitionSpec } from '../plan/types.ts';

const MAGIC = 'EOFNPART2\n';
/** Enough for the header of any window the planner makes; a longer one costs a second read. */
const HEADER_READ_BYTES = 64 * 1024;

export interface PartLevel {
  /** The window's first tile in the level's tile grid, and its tiles across and down. */
  tx0: number;
  ty0: number;
  across: number;
  down: number;
  /** Where the level's framed tiles start (from the data start) and each tile's compressed size. */
  offset: number;
  tileBytes: number[];
}

export interface RasterPartHeader {
  window: Window;
  dtype: DType;
  bands: number;
  cogLevels: number;
  /** The window at level `max(cogLevels, 0)`, its bands one after the other in the part. */
  coarse: { window: Window; offset: number; bytes: number };
  /** Quicklook sums (one `BoxSums` per preview band: float64 sums, then uint32 counts). */
  preview?: { x0: number; y0: number; width: number; height: number; bands: number; offset: number; bytes: number };
  /** Level k at index k. */
  levels: PartLevel[];
  /** Absolute offset of the data the offsets above count from. */
  dataStart: number;
}

/** Range reads of one part: bytes [offset, offset + length). */
export type PartRangeReader = (offset: number, length: number) => Promise<Uint8Array>;

export async function encodeRasterPart(product: RasterProduct, partition: PartitionSpec, bands: TypedArray[]): Promise<Uint8Array> {
  const window = partition.window!;
  const pixels = window.width * window.height;
  bands.forEach((band, b) => {
    if (band.length !== pixels) throw new Error(`band ${b} has ${band.length} pixels, window has ${pixels}`);
  });
  const layout = cogLayout({ grid: product.grid, bands: bands.length, dtype: product.dtype, nodata: product.nodata });
  const cogLevels = Math.min(cogLevelsOf(partition.data), layout.levels.length - 1);
  const pyramid = cogLevels < 0
    ? [{ bands, width: window.width, height: window.height, window }]
    : windowPyramid(bands, window, product.grid, cogLevels, layout.blockSize, layout.resampling, product.nodata);

  const chunks: Uint8Array[] = [];
  let at = 0;
  const push = (bytes: Uint8Array) => {
    chunks.push(bytes);
    at += bytes.byteLength;
  };
  const pad8 = () => {
    if (at % 8) push(new Uint8Array(8 - (at % 8)));
  };
  const coarseLevel = pyramid[Math.max(cogLevels, 0)];
  const coarse = { window: coarseLevel.window, offset: at, bytes: 0 };
  for (const band of coarseLevel.bands) push(new Uint8Array(band.buffer, band.byteOffset, band.byteLength));
  coarse.bytes = at - coarse.offset;
  pad8();

  let preview: RasterPartHeader['preview'];
  if (previewFromSums(product.dtype)) {
    const out = previewSize(product.grid.width, product.grid.height, PREVIEW_SIZE);
    const offset = at;
    let box: BoxSums | undefined;
    for (const b of product.previewBands) {
      box = boxSums(bands[b], window, product.grid.width, product.grid.height, out.width, out.height, product.nodata);
      push(new Uint8Array(box.sums.buffer));
      push(new Uint8Array(box.counts.buffer));
      pad8();
    }
    preview = { x0: box!.x0, y0: box!.y0, width: box!.width, height: box!.height, bands: product.previewBands.length, offset, bytes: at - offset };
  }

  const levels: PartLevel[] = [];
  for (let k = 0; k <= cogLevels; k++) {
    const level = pyramid[k];
    const across = Math.ceil(level.width / layout.blockSize);
    const down = Math.ceil(level.height / layout.blockSize);
    const tileBytes: number[] = [];
    const offset = at;
    await compressTilesInOrder(across * down,
      (t) => encodeTile(level, t % across, Math.floor(t / across), layout.blockSize, layout.fill, layout.predictor),
      (framed, byteCount) => {
        for (const f of framed) push(f);
        tileBytes.push(byteCount);
      });
    levels.push({ tx0: level.window.x / layout.blockSize, ty0: level.window.y / layout.blockSize, across, down, offset, tileBytes });
  }

  const header = new TextEncoder().encode(JSON.stringify({ window, dtype: product.dtype, bands: bands.length, cogLevels, coarse, preview, levels }));
  const dataStart = align8(MAGIC.length + 4 + header.length);
  const out = new Uint8Array(dataStart + at);
  out.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(out.buffer).setUint32(MAGIC.length, header.length, true);
  out.set(header, MAGIC.length + 4);
  let pos = dataStart;
  for (const c of chunks) {
    out.set(c, pos);
    pos += c.byteLength;
  }
  return out;
}

/** The header of a part through range reads (one, or two for a long header). */
export async function readRasterPartHeader(read: PartRangeReader, name = 'part'): Promise<RasterPartHeader> {
  let head = await read(0, HEADER_READ_BYTES);
  const magic = new TextDecoder().decode(head.subarray(0, MAGIC.length));
  if (magic !== MAGIC || head.byteLength < MAGIC.length + 4) throw new InputError(name, 'not an eofn raster partition result');
  const length = new DataView(head.buffer, head.byteOffset, head.byteLength).getUint32(MAGIC.length, true);
  const end = MAGIC.length + 4 + length;
  if (head.byteLength < end) head = await read(0, end);
  if (head.byteLength < end) throw new InputError(name, 'partition result is truncated');
  const header = JSON.parse(new TextDecoder().decode(head.subarray(MAGIC.length + 4, end))) as Omit<RasterPartHeader, 'dataStart'>;
  return { ...header, dataStart: align8(end) };
}

/** The window's bands at its coarsest compressed level. */
export async function readPartCoarse(read: PartRangeReader, header: RasterPartHeader, name = 'part'): Promise<TypedArray[]> {
  const { coarse } = header;
  const bytes = await readExactly(read, header.dataStart + coarse.offset, coarse.bytes, name);
  const Ctor = ARRAY_OF[header.dtype];
  const pixels = coarse.window.width * coarse.window.height;
  if (coarse.bytes !== pixels * header.bands * Ctor.BYTES_PER_ELEMENT) throw new InputError(name, 'partition result does not match its header');
  // A copy: an aligned typed array whatever offset the read landed at.
  const copy = bytes.slice();
  return Array.from({ length: header.bands }, (_, b) => new Ctor(copy.buffer, b * pixels * Ctor.BYTES_PER_ELEMENT, pixels));
}

/** The part's quicklook sums, one per preview band. */
export async function readPartPreviewSums(read: PartRangeReader, header: RasterPartHeader, name = 'part'): Promise<BoxSums[]> {
  const p = header.preview;
  if (!p) throw new InputError(name, 'partition result carries no quicklook sums');
  const copy = (await readExactly(read, header.dataStart + p.offset, p.bytes, name)).slice();
  const n = p.width * p.height;
  const out: BoxSums[] = [];
  let at = 0;
  for (let b = 0; b < p.bands; b++) {
    const sums = new Float64Array(copy.buffer, at, n);
    at += n * 8;
    const counts = new Uint32Array(copy.buffer, at, n);
    at = align8(at + n * 4);
    out.push({ x0: p.x0, y0: p.y0, width: p.width, height: p.height, sums, counts });
  }
  return out;
}

/** Bytes of level k's framed tiles of tile row `row` (of the level's grid) of this part. */
export function partTileRow(header: RasterPartHeader, k: number, row: number): { offset: number; length: number } {
  const level = header.levels[k];
  const r = row - level.ty0;
  let offset = header.dataStart + level.offset;
  const framed = (i: number) => level.tileBytes[i] + 8;
  for (let i = 0; i < r * level.across; i++) offset += framed(i);
  let length = 0;
  for (let i = r * level.across; i < (r + 1) * level.across; i++) length += framed(i);
  return { offset, length };
}

async function readExactly(read: PartRangeReader, offset: number, length: number, name: string): Promise<Uint8Array> {
  const bytes = await read(offset, length);
  if (bytes.byteLength !== length) throw new InputError(name, 'partition result is truncated');
  return bytes;
}

function align8(n: number): number {
  return Math.ceil(n / 8) * 8;
}
