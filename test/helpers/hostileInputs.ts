/**
 * Small crafted inputs of the attacks in issue 10, made on the fly so that no large or hostile file is
 * committed: a 480 KB GeoTIFF whose header claims 1,000,000 x 1,000,000 pixels in 4096-pixel tiles, the
 * 300-byte job that asks for a grid at a resolution of 1e-9 m, a comb polygon, zip-bomb COG tiles.
 *
 * @example
 * await writeFile('huge.tif', hugeTiff());
 */
import { deflateSync } from 'node:zlib';
import { ASCII, buildTiff, DATA_OFFSET, DOUBLE, LONG, SHORT, type Entry } from '../unit/raster/tiffBuilder.ts';

/** GeoTIFF tags of a 10 m grid in EPSG:32633 with its corner at (500000, 5000000). */
const UTM33_10M: Entry[] = [
  { tag: 33550, type: DOUBLE, values: [10, 10, 0] },
  { tag: 33922, type: DOUBLE, values: [0, 0, 0, 500000, 5000000, 0] },
  { tag: 34735, type: SHORT, values: [1, 1, 0, 3, 1024, 0, 1, 1, 1025, 0, 1, 1, 3072, 0, 1, 32633] },
];

/** 245 x 245 = 60,025 tiles that all point at the same 16 bytes; every header limit is respected. */
export function hugeTiff(side = 1_000_000, tile = 4096): Uint8Array {
  const tiles = Math.ceil(side / tile) ** 2;
  return buildTiff({
    data: new Uint8Array(16),
    entries: [
      { tag: 256, type: LONG, values: [side] },
      { tag: 257, type: LONG, values: [side] },
      { tag: 258, type: SHORT, values: [16] },
      { tag: 259, type: SHORT, values: [1] },
      { tag: 262, type: SHORT, values: [1] },
      { tag: 277, type: SHORT, values: [1] },
      { tag: 306, type: ASCII, values: '2023:08:10 10:00:00' },
      { tag: 322, type: SHORT, values: [tile] },
      { tag: 323, type: SHORT, values: [tile] },
      { tag: 324, type: LONG, values: new Array(tiles).fill(8) },
      { tag: 325, type: LONG, values: new Array(tiles).fill(16) },
      { tag: 339, type: SHORT, values: [1] },
      ...UTM33_10M,
    ],
  });
}

/** The job of the attack: valid by the schema, a grid of 2.56e12 x 2.56e12 pixels. */
export function hugeGridJob(items: unknown[], output: string): Record<string, unknown> {
  return {
    op: 'tile-reduce', items, output,
    params: { expression: '(nir - red) / (nir + red)', reducer: 'first', grid: { crs: 'EPSG:32633', bounds: [511500, 5170580, 514060, 5173140], resolution: 1e-9 } },
  };
}

/**
 * A valid polygon shaped like a comb with `teeth` long horizontal teeth (4 vertices per tooth): every edge
 * spans most of the width, which makes an x-sweep compare every pair.
 */
export function combPolygon(teeth: number): number[][] {
  const ring: number[][] = [[0, 0], [1000, 0]];
  for (let t = 0; t < teeth; t++) {
    const y = 1 + 2 * t;
    ring.push([1000, y], [10, y], [10, y + 1], [1000, y + 1]);
  }
  ring.push([1000, 2 * teeth + 1], [0, 2 * teeth + 1], [0, 0]);
  return ring;
}

/**
 * A COG of `bands` interleaved float32 bands in 256-pixel DEFLATE tiles of zeros, every tile pointing at the
 * same 64 KB of compressed data: within every header limit, yet each tile decodes to 64 MB.
 */
export function zipBombCog(opts: { width?: number; height?: number; bands?: number; tile?: number } = {}): Uint8Array {
  const { width = 1024, height = 512, bands = 256, tile = 256 } = opts;
  const data = deflateSync(new Uint8Array(tile * tile * bands * 4), { level: 9 });
  const tiles = Math.ceil(width / tile) * Math.ceil(height / tile);
  return buildTiff({
    data,
    entries: [
      { tag: 256, type: LONG, values: [width] },
      { tag: 257, type: LONG, values: [height] },
      { tag: 258, type: SHORT, values: new Array(bands).fill(32) },
      { tag: 259, type: SHORT, values: [8] },
      { tag: 262, type: SHORT, values: [1] },
      { tag: 277, type: SHORT, values: [bands] },
      { tag: 284, type: SHORT, values: [1] },
      { tag: 322, type: SHORT, values: [tile] },
      { tag: 323, type: SHORT, values: [tile] },
      { tag: 324, type: LONG, values: new Array(tiles).fill(DATA_OFFSET) },
      { tag: 325, type: LONG, values: new Array(tiles).fill(data.length) },
      { tag: 339, type: SHORT, values: new Array(bands).fill(3) },
      ...UTM33_10M,
    ],
  });
}

/** One uint8 256x256 tile whose DEFLATE stream holds `inflated` bytes: far more than the 65,536 it can hold. */
export function overflowingTileTiff(inflated = 64 * 2 ** 20): Uint8Array {
  const data = deflateSync(new Uint8Array(inflated), { level: 9 });
  return buildTiff({
    data,
    entries: [
      { tag: 256, type: LONG, values: [256] }, { tag: 257, type: LONG, values: [256] },
      { tag: 258, type: SHORT, values: [8] }, { tag: 259, type: SHORT, values: [8] }, { tag: 262, type: SHORT, values: [1] },
      { tag: 277, type: SHORT, values: [1] }, { tag: 322, type: SHORT, values: [256] }, { tag: 323, type: SHORT, values: [256] },
      { tag: 324, type: LONG, values: [DATA_OFFSET] }, { tag: 325, type: LONG, values: [data.length] },
      ...UTM33_10M,
    ],
  });
}
