/**
 * Inputs for the fan-out proof: two real Sentinel-2 dates of the sample (red and NIR, 256² at 120 m) repeated
 * over a `(16·n)²` grid and written as COGs with 16-pixel blocks, so that a plan of one block per partition has
 * n² partitions, each reading one block per band and date. The job is NDVI with a median over the two dates:
 * real reads, decoding, band maths and a reduction per partition, and a merged COG that `eofn run` must
 * reproduce byte for byte.
 *
 * @example
 * const inputs = await makeFanoutInputs('/tmp/fan', 144); // 20,736 partitions
 * const job = inputs.job('s3://bucket/fan', 's3://bucket/fan/out');
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { openRaster } from '../../../functions/core/raster/read/openRaster.ts';
import { writeCog } from '../../../functions/core/raster/cog/writeCog.ts';
import { SAMPLE_ITEMS_DIR } from '../sampleJobs.ts';

export const FANOUT_BLOCK = 16;
const ITEMS = ['S2B_33TWM_20230813_0_L2A', 'S2A_33TWM_20230818_0_L2A'];
const BANDS = { red: 'B04.tif', nir: 'B08.tif' } as const;

export interface FanoutInputs {
  dir: string;
  /** Partitions of a plan with one block per partition (`blocksPerSide`²). */
  partitions: number;
  /** Item JSON files, relative to `dir`. */
  files: string[];
  job(itemsBase: string, output: string, id: string): Record<string, unknown>;
}

export async function makeFanoutInputs(dir: string, blocksPerSide: number): Promise<FanoutInputs> {
  const size = blocksPerSide * FANOUT_BLOCK;
  const files: string[] = [];
  for (const id of ITEMS) {
    await mkdir(join(dir, id), { recursive: true });
    const item = JSON.parse(await readFile(join(SAMPLE_ITEMS_DIR, id, `${id}.json`), 'utf8'));
    const assets: Record<string, unknown> = {};
    for (const [key, file] of Object.entries(BANDS)) {
      const raster = await openRaster(join(SAMPLE_ITEMS_DIR, id, file));
      const { grid, width, height } = { grid: raster.info.grid, width: raster.info.grid.width, height: raster.info.grid.height };
      const src = await raster.readWindow({ x: 0, y: 0, width, height }) as Uint16Array;
      await raster.close();
      const out = new Uint16Array(size * size);
      for (let y = 0; y < size; y++) {
        const row = (y % height) * width;
        for (let x = 0; x < size; x++) out[y * size + x] = src[row + (x % width)];
      }
      await writeCog(join(dir, id, file), {
        grid: { ...grid, width: size, height: size }, bands: [out], dtype: 'uint16', nodata: 0, blockSize: FANOUT_BLOCK, descriptions: [key],
      });
      const given = item.assets[key];
      assets[key] = { ...given, href: `./${file}`, 'proj:shape': [size, size] };
      files.push(join(id, file));
    }
    await writeFile(join(dir, id, `${id}.json`), JSON.stringify({ ...item, assets, links: [] }));
    files.push(join(id, `${id}.json`));
  }
  return {
    dir, files, partitions: blocksPerSide * blocksPerSide,
    job: (itemsBase, output, id) => ({
      id, op: 'tile-reduce', items: ITEMS.map((i) => `${itemsBase}/${i}/${i}.json`),
      params: { expression: '(nir - red) / (nir + red)', reducer: 'median' }, output,
    }),
  };
}
