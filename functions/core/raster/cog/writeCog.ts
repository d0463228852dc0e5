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
import { cogLayout, encodeCogHead, type CogLayoutInput } from './cogLayout.ts';
import { halveImage, overviewSizes, type Resampling } from './overviews.ts';
import { encodeTile, type TileSource } from './tiffWriterTiles.ts';

export type { TileSource } from './tiffWriterTiles.ts';
import { writeTilesInOrder } from './writeCogTiles.ts';
import { validateCogInput } from './writeCogValidate.ts';
import type { TypedArray } from '../types.ts';

/** What `cogLayout` needs (grid, dtype, nodata, descriptions, metadata, block size, resampling, BigTIFF), with the pixels. */
export interface CogInput extends Omit<CogLayoutInput, 'bands'> {
  /** One full-resolution array per band, grid.width*grid.height, all the same dtype. */
  bands: TypedArray[];
  /** zlib level 1–9; default `COG_DEFLATE_LEVEL` (the level the partitions and merges use). */
  level?: number;
  /**
   * Called once with the overview levels (largest first) before any tile is written, so a caller can reuse
   * them (e.g. for a quicklook) instead of shrinking the full-resolution bands again. Must not modify them.
   */
  onOverviews?: (levels: readonly TileSource[]) => void;
}

/**
 * Writes a COG to a local file path (temp file + rename). Identical input => identical bytes (no timestamps).
 *
 * @example
 * await writeCog('/tmp/ndvi.tif', { grid, bands: [ndvi], dtype: 'float32', nodata: NaN, descriptions: ['ndvi'] });
 */
export async function writeCog(path: string, input: CogInput): Promise<{ bytes: number }> {
  validateCogInput(input);
  const layout = cogLayout({ ...input, bands: input.bands.length });
  const levels = buildLevels(input, layout.blockSize, layout.resampling);
  input.onOverviews?.(levels.slice(1));

  const tmp = `${path}.${randomUUID()}.tmp`;
  const fh = await open(tmp, 'w');
  try {
    const placedPerLevel: { offsets: number[]; byteCounts: number[] }[] = [];
    let pos = layout.dataStart;
    for (let i = levels.length - 1; i >= 0; i--) {
      const level = levels[i];
      const across = layout.across[i];
      const { placed, end } = await writeTilesInOrder(
        fh,
        across * layout.down[i],
        (t) => encodeTile(level, t % across, Math.floor(t / across), layout.blockSize, layout.fill, layout.predictor),
        pos,
        { level: input.level },
      );
      placedPerLevel[i] = { offsets: placed.map((p) => p.offset), byteCounts: placed.map((p) => p.byteCount) };
      pos = end;
    }
    const head = encodeCogHead(layout, placedPerLevel, pos);
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
