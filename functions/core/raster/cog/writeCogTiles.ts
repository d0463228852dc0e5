/**
 * Streams compressed tiles to a file in a fixed order while compressing several at once. Tiles are cut
 * on the main thread and deflated on libuv's thread pool; at most `concurrency` tiles are held, so memory
 * stays flat whatever the image size. Each tile is framed as GDAL's ghost header promises:
 * [uint32 size][data][last 4 bytes of data].
 */
import type { FileHandle } from 'node:fs/promises';
import { promisify } from 'node:util';
import { deflate } from 'node:zlib';
import { TILE_LEADER_BYTES, TILE_TRAILER_BYTES } from './tiffWriterHeader.ts';

const deflateAsync = promisify(deflate);

/**
 * zlib level of every COG tile eofn writes, partitions and merge alike (the merge stitches the parts'
 * bytes, so all must use one level). 2, not zlib's default 6: on a float32 NDVI tile with the
 * floating-point predictor it deflates about twice as fast for about 3 % more bytes (bench/ndviStages.ts),
 * and DEFLATE is the largest CPU cost of a raster job. GDAL writes level 6 with libdeflate, which is faster
 * than zlib at any level; this keeps eofn's time near GDAL's at a few percent of file size.
 */
export const COG_DEFLATE_LEVEL = 2;

export interface PlacedTile {
  /** File offset of the tile data (after its leader). */
  offset: number;
  byteCount: number;
}

/**
 * Writes tiles `cut(0..count-1)` back to back from file offset `start`; resolves to where each landed.
 *
 * @example
 * const placed = await writeTilesInOrder(fh, 484, (i) => encodeTile(src, i % 22, (i / 22) | 0, 512, 0, 3), 4096);
 */
export async function writeTilesInOrder(
  fh: FileHandle,
  count: number,
  cut: (index: number) => Uint8Array,
  start: number,
  opts: { level?: number; concurrency?: number } = {},
): Promise<{ placed: PlacedTile[]; end: number }> {
  const placed: PlacedTile[] = [];
  let pos = start;
  await compressTilesInOrder(count, cut, async (framed, byteCount) => {
    await fh.writev(framed, pos);
    placed.push({ offset: pos + TILE_LEADER_BYTES, byteCount });
    pos += TILE_LEADER_BYTES + byteCount + TILE_TRAILER_BYTES;
  }, opts);
  return { placed, end: pos };
}

/**
 * Compresses tiles `cut(0..count-1)` and hands each to `emit` in order, framed as in the file
 * ([leader, data, trailer]); at most `concurrency` tiles are held at once.
 *
 * @example
 * await compressTilesInOrder(4, (i) => encodeTile(src, i % 2, i >> 1, 512, 0, 3), (framed) => { chunks.push(...framed); });
 */
export async function compressTilesInOrder(
  count: number,
  cut: (index: number) => Uint8Array,
  emit: (framed: Buffer[], byteCount: number) => Promise<void> | void,
  opts: { level?: number; concurrency?: number } = {},
): Promise<void> {
  const level = opts.level ?? COG_DEFLATE_LEVEL;
  const concurrency = Math.max(1, opts.concurrency ?? 16);
  const pending: Promise<Buffer>[] = [];
  let next = 0;
  const emitOldest = async () => {
    const data = await (pending.shift() as Promise<Buffer>);
    const leader = Buffer.alloc(TILE_LEADER_BYTES);
    leader.writeUInt32LE(data.length, 0);
    await emit([leader, data, data.subarray(data.length - TILE_TRAILER_BYTES)], data.length);
  };
  try {
    while (next < count) {
      pending.push(deflateAsync(cut(next++), { level }));
      if (pending.length >= concurrency) await emitOldest();
    }
    while (pending.length > 0) await emitOldest();
  } catch (err) {
    // Let the in-flight compressions settle so none rejects unobserved after we have thrown.
    await Promise.allSettled(pending);
    throw err;
  }
}
