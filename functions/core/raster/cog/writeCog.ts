/**
 * Writes Cloud Optimized GeoTIFFs laid out as GDAL's COG driver does: header and GDAL's ghost structural
 * metadata, every directory (full resolution, then overviews largest first), then tile data from the
 * smallest overview up to full resolution, each tile framed by a size leader and a 4-byte trailer.
 *
 * The directories' sizes are known before any tile is compressed, so tiles stream to their final place and
 * the directories are written last at the start of the file; only a bounded number of compressed tiles is
 * ever in memory.
 */
import { randomUUID } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import { encodeGeoKeys } from './geoKeysEncode.ts';
import { halveImage, overviewSizes, type Resampling } from './overviews.ts';
import { ifdByteLength, encodeIfd, type TiffTag } from './tiffWriterIfd.ts';
import { encodeHeader, firstIfdOffset, TILE_LEADER_BYTES, TILE_TRAILER_BYTES } from './tiffWriterHeader.ts';
import { encodeTile, type TileSource } from './tiffWriterTiles.ts';

export type { TileSource } from './tiffWriterTiles.ts';
import { bytesPerSample, cogLevelTags } from './writeCogTags.ts';
import { writeTilesInOrder } from './writeCogTiles.ts';
import { gdalMetadataXml, gdalNodataText } from './writeCogMetadata.ts';
import { validateCogInput } from './writeCogValidate.ts';
import type { DType, Grid, TypedArray } from '../types.ts';

export interface CogInput {
  grid: Grid;
  /** One full-resolution array per band, grid.width*grid.height, all the same dtype. */
  bands: TypedArray[];
  dtype: DType;
  /** NaN allowed (written as "nan"). Also pads partial edge tiles. */
  nodata?: number;
  /** Per band, e.g. asset keys. */
  descriptions?: string[];
  /** Dataset-level GDAL metadata items. */
  metadata?: Record<string, string>;
  /** Tile size in pixels, a multiple of 16; default 512. */
  blockSize?: number;
  /** Default 'average' for floats, 'nearest' for integers. */
  overviewResampling?: Resampling;
  /** zlib level 1–9; default 6. */
  level?: number;
  /** Force BigTIFF on or off; by default it is used only when the file could exceed 4 GiB. */
  bigTiff?: boolean;
  /**
   * Called once with the overview levels (largest first) before any tile is written, so a caller can reuse
   * them (e.g. for a quicklook) instead of shrinking the full-resolution bands again. Must not modify them.
   */
  onOverviews?: (levels: readonly TileSource[]) => void;
}

const MAX_CLASSIC_OFFSET = 0xffffffff;

/**
 * Writes a COG to a local file path (temp file + rename). Identical input => identical bytes (no timestamps).
 *
 * @example
 * await writeCog('/tmp/ndvi.tif', { grid, bands: [ndvi], dtype: 'float32', nodata: NaN, descriptions: ['ndvi'] });
 */
export async function writeCog(path: string, input: CogInput): Promise<{ bytes: number }> {
  validateCogInput(input);
  const { grid, dtype } = input;
  const blockSize = input.blockSize ?? 512;
  const isFloat = dtype === 'float32' || dtype === 'float64';
  const resampling = input.overviewResampling ?? (isFloat ? 'average' : 'nearest');
  const predictor = isFloat ? 3 : 2;
  const fill = input.nodata ?? 0;

  const levels = buildLevels(input, blockSize, resampling);
  input.onOverviews?.(levels.slice(1));
  const tileCounts = levels.map((l) => tilesAcross(l.width, blockSize) * tilesAcross(l.height, blockSize));
  const geo = encodeGeoKeys(grid);
  const metadataXml = gdalMetadataXml(input.descriptions, input.metadata);
  const nodataText = input.nodata === undefined ? undefined : gdalNodataText(input.nodata);
  const tagsOf = (i: number, bigTiff: boolean, offsets: readonly number[], byteCounts: readonly number[]): TiffTag[] =>
    cogLevelTags({
      width: levels[i].width, height: levels[i].height, blockSize, bands: input.bands.length, dtype, predictor,
      bigTiff, offsets, byteCounts, geo: i === 0 ? geo : undefined, metadataXml, nodataText,
    });
  const headerBytes = (bigTiff: boolean) =>
    levels.reduce((n, _, i) => {
      const zeros = new Array<number>(tileCounts[i]).fill(0);
      return n + ifdByteLength(tagsOf(i, bigTiff, zeros, zeros), bigTiff);
    }, firstIfdOffset(bigTiff));

  const rawTileBytes = blockSize * blockSize * input.bands.length * bytesPerSample(dtype);
  const totalTiles = tileCounts.reduce((a, b) => a + b, 0);
  const worstCase = headerBytes(false) + totalTiles * (deflateBound(rawTileBytes) + TILE_LEADER_BYTES + TILE_TRAILER_BYTES);
  const bigTiff = input.bigTiff ?? worstCase > MAX_CLASSIC_OFFSET;
  const dataStart = headerBytes(bigTiff);

  const tmp = `${path}.${randomUUID()}.tmp`;
  const fh = await open(tmp, 'w');
  try {
    const placedPerLevel: { offsets: number[]; byteCounts: number[] }[] = [];
    let pos = dataStart;
    for (let i = levels.length - 1; i >= 0; i--) {
      const level = levels[i];
      const across = tilesAcross(level.width, blockSize);
      const { placed, end } = await writeTilesInOrder(
        fh,
        tileCounts[i],
        (t) => encodeTile(level, t % across, Math.floor(t / across), blockSize, fill, predictor),
        pos,
        { level: input.level },
      );
      placedPerLevel[i] = { offsets: placed.map((p) => p.offset), byteCounts: placed.map((p) => p.byteCount) };
      pos = end;
    }
    if (!bigTiff && pos > MAX_CLASSIC_OFFSET) {
      throw new Error(`COG of ${pos} bytes needs BigTIFF, which was turned off`);
    }
    const parts: Uint8Array[] = [encodeHeader(bigTiff)];
    let at = firstIfdOffset(bigTiff);
    for (let i = 0; i < levels.length; i++) {
      const tags = tagsOf(i, bigTiff, placedPerLevel[i].offsets, placedPerLevel[i].byteCounts);
      const size = ifdByteLength(tags, bigTiff);
      parts.push(encodeIfd(tags, bigTiff, at, i + 1 < levels.length ? at + size : 0));
      at += size;
    }
    const head = Buffer.concat(parts);
    if (head.length !== dataStart) throw new Error(`COG header is ${head.length} bytes, ${dataStart} were reserved`);
    await fh.write(head, 0, head.length, 0);
    await fh.close();
    await rename(tmp, path);
    return { bytes: pos };
  } catch (err) {
    await fh.close().catch(() => undefined);
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}

/** Full resolution followed by each overview, computed from the previous level. */
function buildLevels(input: CogInput, blockSize: number, resampling: Resampling): TileSource[] {
  const levels: TileSource[] = [{ bands: input.bands, width: input.grid.width, height: input.grid.height }];
  for (const size of overviewSizes(input.grid.width, input.grid.height, blockSize)) {
    const prev = levels[levels.length - 1];
    const bands = prev.bands.map((b) => halveImage(b, prev.width, prev.height, resampling, input.nodata));
    levels.push({ bands, width: size.width, height: size.height });
  }
  return levels;
}

function tilesAcross(size: number, blockSize: number): number {
  return Math.ceil(size / blockSize);
}

/** zlib's deflateBound() for the default settings: the most a deflate stream of n bytes can take. */
function deflateBound(n: number): number {
  return n + (n >>> 12) + (n >>> 14) + (n >>> 25) + 13 + 6;
}
