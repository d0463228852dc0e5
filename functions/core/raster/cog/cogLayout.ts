/**
 * The shape of a COG decided from sizes alone: its levels (full resolution, then overviews largest first),
 * tiles per level, the codec settings, whether it is BigTIFF and where tile data starts. Both the
 * one-process writer (`writeCog`) and the merge that stitches tiles compressed by partitions
 * (`ops/mergeRaster.ts`) build their file from this one layout, which is what makes their bytes equal.
 *
 * @example
 * const layout = cogLayout({ grid, bands: 1, dtype: 'float32', nodata: NaN });
 * const head = encodeCogHead(layout, placedPerLevel); // header + every directory, `layout.dataStart` bytes
 */
import { encodeGeoKeys } from './geoKeysEncode.ts';
import { overviewSizes, type Resampling } from './overviews.ts';
import { ifdByteLength, encodeIfd, type TiffTag } from './tiffWriterIfd.ts';
import { encodeHeader, firstIfdOffset, TILE_LEADER_BYTES, TILE_TRAILER_BYTES } from './tiffWriterHeader.ts';
import type { Predictor } from './tiffWriterTiles.ts';
import { bytesPerSample, cogLevelTags } from './writeCogTags.ts';
import { gdalMetadataXml, gdalNodataText } from './writeCogMetadata.ts';
import type { DType, Grid } from '../types.ts';

export interface CogLayoutInput {
  grid: Grid;
  bands: number;
  dtype: DType;
  nodata?: number;
  descriptions?: string[];
  metadata?: Record<string, string>;
  /** Default 512. */
  blockSize?: number;
  overviewResampling?: Resampling;
  bigTiff?: boolean;
}

export interface CogLayout {
  /** Sizes of every level, full resolution first. */
  levels: { width: number; height: number }[];
  /** Tiles across and down of each level. */
  across: number[];
  down: number[];
  blockSize: number;
  predictor: Predictor;
  resampling: Resampling;
  /** Pads partial edge tiles (nodata, or 0). */
  fill: number;
  bigTiff: boolean;
  /** Bytes of header and directories: the first tile's leader starts here. */
  dataStart: number;
  /** The directory tags of level `i` for the given tile offsets and byte counts. */
  tagsOf(i: number, offsets: readonly number[], byteCounts: readonly number[]): TiffTag[];
}

export const DEFAULT_BLOCK_SIZE = 512;
const MAX_CLASSIC_OFFSET = 0xffffffff;

export function cogLayout(input: CogLayoutInput): CogLayout {
  const { grid, dtype } = input;
  const blockSize = input.blockSize ?? DEFAULT_BLOCK_SIZE;
  const isFloat = dtype === 'float32' || dtype === 'float64';
  const levels = [{ width: grid.width, height: grid.height }, ...overviewSizes(grid.width, grid.height, blockSize)];
  const across = levels.map((l) => Math.ceil(l.width / blockSize));
  const down = levels.map((l) => Math.ceil(l.height / blockSize));
  const predictor: Predictor = isFloat ? 3 : 2;
  const geo = encodeGeoKeys(grid);
  const metadataXml = gdalMetadataXml(input.descriptions, input.metadata);
  const nodataText = input.nodata === undefined ? undefined : gdalNodataText(input.nodata);
  const tags = (bigTiff: boolean) => (i: number, offsets: readonly number[], byteCounts: readonly number[]): TiffTag[] =>
    cogLevelTags({
      width: levels[i].width, height: levels[i].height, blockSize, bands: input.bands, dtype, predictor,
      bigTiff, offsets, byteCounts, geo: i === 0 ? geo : undefined, metadataXml, nodataText,
    });
  const headerBytes = (bigTiff: boolean) =>
    levels.reduce((n, _, i) => {
      const zeros = new Array<number>(across[i] * down[i]).fill(0);
      return n + ifdByteLength(tags(bigTiff)(i, zeros, zeros), bigTiff);
    }, firstIfdOffset(bigTiff));
  // Decided from the worst case, never from the compressed sizes: every writer of this product picks the same.
  const rawTileBytes = blockSize * blockSize * input.bands * bytesPerSample(dtype);
  const totalTiles = across.reduce((n, a, i) => n + a * down[i], 0);
  const worstCase = headerBytes(false) + totalTiles * (deflateBound(rawTileBytes) + TILE_LEADER_BYTES + TILE_TRAILER_BYTES);
  const bigTiff = input.bigTiff ?? worstCase > MAX_CLASSIC_OFFSET;
  return {
    levels, across, down, blockSize, predictor, bigTiff,
    resampling: input.overviewResampling ?? (isFloat ? 'average' : 'nearest'),
    fill: input.nodata ?? 0,
    dataStart: headerBytes(bigTiff),
    tagsOf: tags(bigTiff),
  };
}

/**
 * Header, ghost metadata and every directory once the tiles are placed; exactly `layout.dataStart` bytes.
 * `end` is the file size, checked against the classic TIFF limit.
 */
export function encodeCogHead(layout: CogLayout, placed: readonly { offsets: number[]; byteCounts: number[] }[], end: number): Uint8Array {
  const { bigTiff, levels } = layout;
  if (!bigTiff && end > MAX_CLASSIC_OFFSET) {
    throw new Error(`COG of ${end} bytes needs BigTIFF, which was turned off`);
  }
  const parts: Uint8Array[] = [encodeHeader(bigTiff)];
  let at = firstIfdOffset(bigTiff);
  for (let i = 0; i < levels.length; i++) {
    const tags = layout.tagsOf(i, placed[i].offsets, placed[i].byteCounts);
    const size = ifdByteLength(tags, bigTiff);
    parts.push(encodeIfd(tags, bigTiff, at, i + 1 < levels.length ? at + size : 0));
    at += size;
  }
  const head = Buffer.concat(parts);
  if (head.length !== layout.dataStart) throw new Error(`COG header is ${head.length} bytes, ${layout.dataStart} were reserved`);
  return head;
}

/** zlib's deflateBound() for the default settings: the most a deflate stream of n bytes can take. */
function deflateBound(n: number): number {
  return n + (n >>> 12) + (n >>> 14) + (n >>> 25) + 13 + 6;
}
