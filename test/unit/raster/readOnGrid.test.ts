/**
 * readOnGrid: nearest-neighbour resampling onto a target grid. The 2x coarser SCL fixture resampled onto the
 * 120 m grid must equal numpy's repeat (expected.json, made with rasterio), and only needed blocks are read.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../../functions/core/errors.ts';
import { registerCoreStorages } from '../../../functions/core/io/registerCoreStorages.ts';
import { openRaster, type Raster } from '../../../functions/core/raster/read/openRaster.ts';
import { readOnGrid } from '../../../functions/core/raster/warp/readOnGrid.ts';
import type { Grid, TypedArray, Window } from '../../../functions/core/raster/types.ts';

const DIR = fileURLToPath(new URL('../../fixtures/raster/', import.meta.url));
const expected = JSON.parse(readFileSync(`${DIR}expected.json`, 'utf8')).readOnGrid as {
  sha256: string; keepNodataSha256: string; width: number; height: number;
};

function sha256(values: Float32Array): string {
  return createHash('sha256').update(new Uint8Array(values.buffer, values.byteOffset, values.byteLength)).digest('hex');
}

/** An in-memory raster that records the windows it is asked for. */
function fakeRaster(grid: Grid, block: number, value: (col: number, row: number) => number, Typed: new (n: number) => TypedArray = Float32Array) {
  const reads: Window[] = [];
  const raster: Raster = {
    info: {
      href: 'mem://fake.tif', grid, bands: 1, dtype: 'float32', nodata: -1, blockWidth: block, blockHeight: block,
      descriptions: [undefined], metadata: {},
    },
    async readWindow(w) {
      reads.push(w);
      const out = new Typed(w.width * w.height);
      for (let j = 0; j < w.height; j++) for (let i = 0; i < w.width; i++) out[j * w.width + i] = value(w.x + i, w.y + j);
      return out;
    },
    async close() {},
  };
  return { raster, reads };
}

let coarse: Raster;
let fineGrid: Grid;

beforeAll(async () => {
  registerCoreStorages();
  coarse = await openRaster(`${DIR}uint8-coarse-2x.tif`);
  fineGrid = (await openRaster(`${DIR}uint8-strips.tif`)).info.grid;
});

describe('readOnGrid', () => {
  it('puts a 2x coarser raster on the fine grid exactly as numpy repeat does', async () => {
    // Prepare
    const window = { x: 0, y: 0, width: fineGrid.width, height: fineGrid.height };
    // Act
    const values = await readOnGrid(coarse, fineGrid, window);
    // Assess
    expect([fineGrid.width, fineGrid.height]).toEqual([expected.width, expected.height]);
    expect(values).toBeInstanceOf(Float32Array);
    expect(values.some(Number.isNaN)).toBe(true);
    expect(sha256(values)).toBe(expected.sha256);
  });

  it('keeps nodata values when asked', async () => {
    // Act
    const values = await readOnGrid(coarse, fineGrid, { x: 0, y: 0, width: fineGrid.width, height: fineGrid.height }, { keepNodata: true });
    // Assess
    expect(values.some(Number.isNaN)).toBe(false);
    expect(sha256(values)).toBe(expected.keepNodataSha256);
  });

  it('gives NaN where the window leaves the source, also with keepNodata', async () => {
    // Prepare
    const full = await readOnGrid(coarse, fineGrid, { x: 0, y: 0, width: fineGrid.width, height: fineGrid.height }, { keepNodata: true });
    const window = { x: -4, y: fineGrid.height - 3, width: 10, height: 6 };
    // Act
    const values = await readOnGrid(coarse, fineGrid, window, { keepNodata: true });
    // Assess
    for (let j = 0; j < 6; j++) {
      for (let i = 0; i < 10; i++) {
        const inside = i >= 4 && j < 3;
        const want = inside ? full[(window.y + j) * fineGrid.width + (i - 4)] : Number.NaN;
        expect(values[j * 10 + i]).toBe(want);
      }
    }
  });

  it('maps target pixel centres into the source pixel that contains them on a shifted grid', async () => {
    // Prepare: source 10 x 10 at 10 m from (0,100); target 5 m pixels starting 7 m to the right of the origin
    const { raster } = fakeRaster({ crs: 'EPSG:32633', width: 10, height: 10, originX: 0, originY: 100, resX: 10, resY: 10 }, 4, (c, r) => r * 10 + c);
    const target = { crs: 'epsg:32633', width: 4, height: 1, originX: 7, originY: 100, resX: 5, resY: 5 };
    // Act: centres at x = 9.5, 14.5, 19.5, 24.5 and y = 97.5
    const values = await readOnGrid(raster, target, { x: 0, y: 0, width: 4, height: 1 });
    // Assess
    expect(Array.from(values)).toEqual([0, 1, 1, 2]);
  });

  it('reads only the source blocks that hold a sampled pixel', async () => {
    // Prepare: 100 x 100 source in 10 px blocks; 30 px target pixels sample columns/rows 15, 45, 75
    const { raster, reads } = fakeRaster({ crs: 'EPSG:3035', width: 100, height: 100, originX: 0, originY: 100, resX: 1, resY: 1 }, 10, (c, r) => r * 1000 + c);
    const target = { crs: 'EPSG:3035', width: 3, height: 3, originX: 0, originY: 100, resX: 30, resY: 30 };
    // Act
    const values = await readOnGrid(raster, target, { x: 0, y: 0, width: 3, height: 3 });
    // Assess
    expect(Array.from(values)).toEqual([15015, 15045, 15075, 45015, 45045, 45075, 75015, 75045, 75075]);
    const blocks = reads.map((w) => {
      expect(Math.floor(w.x / 10)).toBe(Math.floor((w.x + w.width - 1) / 10));
      expect(Math.floor(w.y / 10)).toBe(Math.floor((w.y + w.height - 1) / 10));
      return `${Math.floor(w.x / 10)},${Math.floor(w.y / 10)}`;
    });
    expect(blocks.sort()).toEqual(['1,1', '1,4', '1,7', '4,1', '4,4', '4,7', '7,1', '7,4', '7,7']);
  });

  it('turns nodata into NaN', async () => {
    // Prepare: the fake raster's nodata is -1
    const { raster } = fakeRaster({ crs: 'EPSG:3035', width: 2, height: 1, originX: 0, originY: 1, resX: 1, resY: 1 }, 2, (c) => (c === 0 ? -1 : 5));
    // Act
    const values = await readOnGrid(raster, raster.info.grid, { x: 0, y: 0, width: 2, height: 1 });
    // Assess
    expect(Number.isNaN(values[0])).toBe(true);
    expect(values[1]).toBe(5);
  });

  it('on the source grid, copies each sample type as the per-pixel lookup does (nodata to NaN, none rounded)', async () => {
    // Prepare: 37 x 23 in 8 px blocks, a window past the right and bottom edges; 0 is nodata (-1 in the fake's info)
    const grid: Grid = { crs: 'EPSG:32633', width: 37, height: 23, originX: 0, originY: 23, resX: 1, resY: 1 };
    const window = { x: 5, y: 3, width: 40, height: 25 };
    const raw = (c: number, r: number) => ((c * 7 + r * 13) % 11 === 0 ? 0 : 16777217 + c * 1000 + r);
    for (const Typed of [Uint16Array, Int16Array, Uint8Array, Float32Array, Int32Array, Float64Array]) {
      const { raster } = fakeRaster(grid, 8, raw, Typed);
      raster.info.nodata = 0;
      // Act
      const values = await readOnGrid(raster, grid, window);
      // Assess: what a plain loop gives, value by value
      const one = new Typed(1);
      for (let j = 0; j < window.height; j++) {
        for (let i = 0; i < window.width; i++) {
          const c = window.x + i, r = window.y + j;
          one[0] = raw(c, r);
          const want = c >= grid.width || r >= grid.height || one[0] === 0 ? NaN : Math.fround(one[0]);
          expect(values[j * window.width + i], `${Typed.name} at ${c},${r}`).toBe(want);
        }
      }
    }
  });

  it('refuses a target grid in another CRS, naming the file and both CRSs', async () => {
    // Prepare
    const other = { ...fineGrid, crs: 'EPSG:4326' };
    // Act
    const err = await readOnGrid(coarse, other, { x: 0, y: 0, width: 2, height: 2 }).catch((e: unknown) => e);
    // Assess
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).message).toMatch(/uint8-coarse-2x\.tif: CRS EPSG:32633 does not match the target grid's CRS EPSG:4326/);
  });
});

describe('readOnGrid scale, offset and nodata fallback (STAC radiometry)', () => {
  const grid: Grid = { crs: 'EPSG:32633', width: 4, height: 1, originX: 0, originY: 1, resX: 1, resY: 1 };
  const window = { x: 0, y: 0, width: 4, height: 1 };

  it('gives v * scale + offset rounded once to float32, NaN at the nodata (compared on the raw value)', async () => {
    // Prepare: raw values 1000 (valid, becomes 0), -1 (the file's nodata), 2734, 0
    const { raster } = fakeRaster(grid, 4, (c) => [1000, -1, 2734, 0][c]);
    // Act
    const out = await readOnGrid(raster, grid, window, { scale: 0.0001, offset: -0.1 });
    // Assess
    expect(Array.from(out)).toEqual([Math.fround(0), NaN, Math.fround(2734 * 0.0001 - 0.1), Math.fround(-0.1)]);
  });

  it("uses opts.nodata only when the file declares none; keepNodata keeps raw values unscaled", async () => {
    const { raster } = fakeRaster(grid, 4, (c) => [0, 5, 0, 7][c]);
    raster.info.nodata = undefined;
    expect(Array.from(await readOnGrid(raster, grid, window, { nodata: 0, scale: 2 }))).toEqual([NaN, 10, NaN, 14]);
    raster.info.nodata = 5;
    expect(Array.from(await readOnGrid(raster, grid, window, { nodata: 0 }))).toEqual([0, NaN, 0, 7]);
    expect(Array.from(await readOnGrid(raster, grid, window, { keepNodata: true }))).toEqual([0, 5, 0, 7]);
  });
});
