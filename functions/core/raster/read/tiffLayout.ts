/**
 * How the pixels of a TIFF are stored (size, sample type, blocks and where each block lives), checked against
 * TIFF_LIMITS and the file size before anything is allocated from the header's claims. Strip-organised files
 * are described as blocks one strip high and the full image wide.
 *
 * @example
 * const layout = await readTiffLayout(await TiffDirectory.read(bytes));
 * const offset = layout.blockOffsets[blockIndex(layout, 0, 2, 3)];
 */
import { BadTiffError } from '../../errors.ts';
import type { TiffDirectory } from './tiffDirectory.ts';
import { TIFF_LIMITS } from './tiffLimits.ts';
import { SUPPORTED_COMPRESSIONS, TAG } from './tiffTags.ts';
import type { DType } from '../types.ts';

export interface TiffLayout {
  width: number;
  height: number;
  bands: number;
  dtype: DType;
  bytesPerSample: number;
  littleEndian: boolean;
  /** 1: samples of a pixel side by side in one block; 2: one block set per band. */
  planar: 1 | 2;
  compression: number;
  predictor: number;
  tiled: boolean;
  blockWidth: number;
  blockHeight: number;
  blocksAcross: number;
  blocksDown: number;
  blockOffsets: Float64Array;
  blockByteCounts: Float64Array;
}

const DTYPES: Record<string, DType> = {
  '1/8': 'uint8', '2/8': 'int8', '1/16': 'uint16', '2/16': 'int16',
  '1/32': 'uint32', '2/32': 'int32', '3/32': 'float32', '3/64': 'float64',
};

export async function readTiffLayout(dir: TiffDirectory): Promise<TiffLayout> {
  const href = dir.bytes.href;
  const bad = (msg: string) => new BadTiffError(href, msg);
  const width = await required(dir, TAG.ImageWidth, 'ImageWidth');
  const height = await required(dir, TAG.ImageLength, 'ImageLength');
  checkSide(width, 'width', TIFF_LIMITS.maxSide, bad);
  checkSide(height, 'height', TIFF_LIMITS.maxSide, bad);
  const bands = (await dir.number(TAG.SamplesPerPixel, 'SamplesPerPixel')) ?? 1;
  if (!Number.isInteger(bands) || bands < 1 || bands > TIFF_LIMITS.maxBands) {
    throw bad(`SamplesPerPixel ${bands} is outside 1..${TIFF_LIMITS.maxBands}`);
  }
  const bits = await uniform(dir, TAG.BitsPerSample, 'BitsPerSample', bands, 1);
  const format = await uniform(dir, TAG.SampleFormat, 'SampleFormat', bands, 1);
  const dtype = DTYPES[`${format}/${bits}`];
  if (!dtype) throw bad(`unsupported sample format: ${bits}-bit ${['', 'unsigned', 'signed', 'float'][format] ?? `SampleFormat ${format}`}`);
  const compression = (await dir.number(TAG.Compression, 'Compression')) ?? 1;
  if (!SUPPORTED_COMPRESSIONS.has(compression)) throw bad(`unsupported compression ${compression}`);
  const predictor = (await dir.number(TAG.Predictor, 'Predictor')) ?? 1;
  checkPredictor(predictor, dtype, bad);
  const planarTag = (await dir.number(TAG.PlanarConfiguration, 'PlanarConfiguration')) ?? 1;
  if (planarTag !== 1 && planarTag !== 2) throw bad(`PlanarConfiguration ${planarTag} is not 1 or 2`);
  const planar: 1 | 2 = bands === 1 ? 1 : planarTag;

  const tiled = dir.has(TAG.TileWidth) || dir.has(TAG.TileOffsets);
  let blockWidth: number;
  let blockHeight: number;
  if (tiled) {
    blockWidth = await required(dir, TAG.TileWidth, 'TileWidth');
    blockHeight = await required(dir, TAG.TileLength, 'TileLength');
    checkSide(blockWidth, 'tile width', TIFF_LIMITS.maxTileSide, bad);
    checkSide(blockHeight, 'tile height', TIFF_LIMITS.maxTileSide, bad);
  } else {
    blockWidth = width;
    // RowsPerStrip defaults to "all rows" (2^32-1): one strip holds the whole image.
    const rows = (await dir.number(TAG.RowsPerStrip, 'RowsPerStrip')) ?? height;
    if (!Number.isInteger(rows) || rows < 1) throw bad(`RowsPerStrip ${rows} is not a positive integer`);
    blockHeight = Math.min(rows, height);
  }
  const bytesPerSample = bits / 8;
  const samplesPerBlockPixel = planar === 1 ? bands : 1;
  const blockBytes = blockWidth * blockHeight * samplesPerBlockPixel * bytesPerSample;
  if (blockBytes > TIFF_LIMITS.maxBlockBytes) {
    throw bad(`one ${tiled ? 'tile' : 'strip'} would decode to ${blockBytes} bytes (at most ${TIFF_LIMITS.maxBlockBytes} allowed)`);
  }
  const blocksAcross = Math.ceil(width / blockWidth);
  const blocksDown = Math.ceil(height / blockHeight);
  const blockCount = blocksAcross * blocksDown * (planar === 2 ? bands : 1);
  if (blockCount > TIFF_LIMITS.maxBlocks) throw bad(`${blockCount} blocks (at most ${TIFF_LIMITS.maxBlocks} allowed)`);

  const kind = tiled ? 'Tile' : 'Strip';
  const offsets = await blockArray(dir, tiled ? TAG.TileOffsets : TAG.StripOffsets, `${kind}Offsets`, blockCount);
  const counts = await blockArray(dir, tiled ? TAG.TileByteCounts : TAG.StripByteCounts, `${kind}ByteCounts`, blockCount);
  // No codec legitimately stores a block in more than twice its decoded size: a larger claim is hostile.
  const maxStored = blockBytes * 2 + 65536;
  for (let i = 0; i < blockCount; i++) {
    if (counts[i] > maxStored) {
      throw bad(`${kind.toLowerCase()} ${i} claims ${counts[i]} stored bytes for ${blockBytes} decoded bytes`);
    }
    const end = offsets[i] + counts[i];
    if (counts[i] > 0 && offsets[i] > 0 && end > dir.bytes.size) {
      throw bad(`${kind.toLowerCase()} ${i} (bytes ${offsets[i]}..${end}) lies past the end of the file (${dir.bytes.size} bytes)`);
    }
  }
  return {
    width, height, bands, dtype, bytesPerSample, littleEndian: dir.littleEndian, planar, compression, predictor,
    tiled, blockWidth, blockHeight, blocksAcross, blocksDown, blockOffsets: offsets, blockByteCounts: counts,
  };
}

/** Index into the offset arrays of block (col,row) of `band` (the band matters only for planar 2). */
export function blockIndex(layout: TiffLayout, band: number, col: number, row: number): number {
  const bandBase = layout.planar === 2 ? band * layout.blocksAcross * layout.blocksDown : 0;
  return bandBase + row * layout.blocksAcross + col;
}

async function required(dir: TiffDirectory, tag: number, name: string): Promise<number> {
  const v = await dir.number(tag, name);
  if (v === undefined) throw new BadTiffError(dir.bytes.href, `required tag ${name} is missing`);
  return v;
}

/** A per-sample tag whose values must all be the same (the reader has one dtype per file). */
async function uniform(dir: TiffDirectory, tag: number, name: string, bands: number, fallback: number) {
  const values = await dir.numbers(tag, name, bands);
  if (!values || values.length === 0) return fallback;
  if (values.some((v) => v !== values[0])) throw new BadTiffError(dir.bytes.href, `bands differ in ${name}: ${[...values].join(',')}`);
  return values[0];
}

async function blockArray(dir: TiffDirectory, tag: number, name: string, expected: number): Promise<Float64Array> {
  const entry = dir.entries.get(tag);
  if (!entry) throw new BadTiffError(dir.bytes.href, `required tag ${name} is missing`);
  if (entry.count !== expected) {
    throw new BadTiffError(dir.bytes.href, `${name} has ${entry.count} entries but the image has ${expected} blocks`);
  }
  return (await dir.numbers(tag, name, expected)) as Float64Array;
}

function checkSide(v: number, what: string, max: number, bad: (m: string) => Error): void {
  if (!Number.isInteger(v) || v < 1 || v > max) throw bad(`${what} ${v} is outside 1..${max}`);
}

function checkPredictor(predictor: number, dtype: DType, bad: (m: string) => Error): void {
  const isFloat = dtype === 'float32' || dtype === 'float64';
  if (predictor === 1 || (predictor === 2 && !isFloat) || (predictor === 3 && isFloat)) return;
  throw bad(`unsupported predictor ${predictor} for ${dtype} data`);
}
