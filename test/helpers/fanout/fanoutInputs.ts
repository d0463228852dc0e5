/**
 * Inputs for the fan-out proof: two real Sentinel-2 dates of the sample (red and NIR, 256² at 120 m) repeated
 * over `tiles` side-by-side tiles of `(16·n)²` pixels, written as COGs with 16-pixel blocks, so that a plan of
 * one block per partition has tiles × n² partitions, each reading one block per band and date. The job is
 * NDVI with a median over the two dates: real reads, decoding, band maths and a reduction per partition, and
 * one merged COG per tile that `eofn run` must reproduce byte for byte. (Tiles keep every object under the
 * 11 MiB request limit of the S3 emulator.)
 *
 * @example
 * const inputs = await makeFanoutInputs('/tmp/fan', 72, 4); // 20,736 partitions
 * const job = inputs.job('s3://bucket/fan', 's3://bucket/fan/out', 'fan');
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { openRaster } from '../../../functions/core/raster/read/openRaster.ts';
import { writeCog } from '../../../functions/core/raster/cog/writeCog.ts';
import type { OpName } from '../../../functions/core/ops/descriptors.ts';
import { SAMPLE_ITEMS_DIR } from '../sampleJobs.ts';

export const FANOUT_BLOCK = 16;
const DATES = ['S2B_33TWM_20230813_0_L2A', 'S2A_33TWM_20230818_0_L2A'];
const BANDS = { red: 'B04.tif', nir: 'B08.tif' } as const;
const TILES = ['WM', 'XM', 'YM', 'WN', 'XN', 'YN'];

export interface FanoutInputs {
  dir: string;
  /** The job's op: the function (queue) its partitions go to. */
  op: OpName;
  /** Side-by-side tiles, each `blocksPerSide` × FANOUT_BLOCK pixels square. */
  tiles: number;
  blocksPerSide: number;
  /** Partitions of a plan with one block per partition (tiles × `blocksPerSide`²). */
  partitions: number;
  /** Every file to upload, relative to `dir`. */
  files: string[];
  /**
   * The products, relative to the output: `result.tif`, or `tiles/<tile>/result.tif` per tile; a folder
   * (`table/`) stands for every object under it (a dataset's files, named by the plan).
   */
  products: string[];
  job(itemsBase: string, output: string, id: string): Record<string, unknown>;
}

export async function makeFanoutInputs(dir: string, blocksPerSide: number, tiles = 1): Promise<FanoutInputs> {
  if (tiles < 1 || tiles > TILES.length) throw new Error(`tiles: 1 to ${TILES.length}`);
  const size = blocksPerSide * FANOUT_BLOCK;
  const files: string[] = [];
  const items: string[] = [];
  for (const date of DATES) {
    const item = JSON.parse(await readFile(join(SAMPLE_ITEMS_DIR, date, `${date}.json`), 'utf8'));
    const bands: Record<string, { grid: import('../../../functions/core/raster/types.ts').Grid; pixels: Uint16Array }> = {};
    for (const [key, file] of Object.entries(BANDS)) {
      const raster = await openRaster(join(SAMPLE_ITEMS_DIR, date, file));
      const { grid } = raster.info;
      const src = await raster.readWindow({ x: 0, y: 0, width: grid.width, height: grid.height }) as Uint16Array;
      await raster.close();
      const pixels = new Uint16Array(size * size);
      for (let y = 0; y < size; y++) {
        const row = (y % grid.height) * grid.width;
        for (let x = 0; x < size; x++) pixels[y * size + x] = src[row + (x % grid.width)];
      }
      bands[key] = { grid, pixels };
    }
    for (let t = 0; t < tiles; t++) {
      const tile = `33T${TILES[t]}`;
      const id = date.replace('33TWM', tile);
      await mkdir(join(dir, id), { recursive: true });
      const assets: Record<string, unknown> = {};
      for (const [key, file] of Object.entries(BANDS)) {
        const { grid, pixels } = bands[key];
        // Tiles side by side, each on its own grid (as adjacent MGRS tiles are).
        const originX = grid.originX + t * size * grid.resX;
        await writeCog(join(dir, id, file), { grid: { ...grid, width: size, height: size, originX }, bands: [pixels], dtype: 'uint16', nodata: 0, blockSize: FANOUT_BLOCK, descriptions: [key] });
        const transform = [grid.resX, 0, originX, 0, -grid.resY, grid.originY];
        assets[key] = { ...item.assets[key], href: `./${file}`, 'proj:shape': [size, size], 'proj:transform': transform };
        files.push(join(id, file));
      }
      const properties = { ...item.properties, 'grid:code': `MGRS-${tile}`, 'mgrs:grid_square': TILES[t] };
      await writeFile(join(dir, id, `${id}.json`), JSON.stringify({ ...item, id, properties, assets, links: [] }));
      files.push(join(id, `${id}.json`));
      items.push(id);
    }
  }
  return {
    dir, op: 'tile-reduce', tiles, blocksPerSide, files, partitions: tiles * blocksPerSide * blocksPerSide,
    products: tiles === 1 ? ['result.tif'] : TILES.slice(0, tiles).map((t) => `tiles/33T${t}/result.tif`),
    job: (itemsBase, output, id) => ({
      id, op: 'tile-reduce', items: items.map((i) => `${itemsBase}/${i}/${i}.json`),
      params: { expression: '(nir - red) / (nir + red)', reducer: 'median' }, output,
    }),
  };
}

/** Whether `key` (relative to the output) is one of `products`: named, or under a folder named with its `/`. */
export function isProduct(key: string, products: string[]): boolean {
  return products.some((p) => (p.endsWith('/') ? key.startsWith(p) : key === p));
}
