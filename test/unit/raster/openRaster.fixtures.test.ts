/**
 * Every fixture TIFF made by GDAL (test/fixtures/raster/make-fixtures.sh) must read pixel-exact: the SHA-256
 * of each band, whole and through a window crossing block edges, equals what rasterio read from the same file
 * (expected.json), and RasterInfo matches GDAL's view of grid, dtype, nodata, blocks and metadata.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerCoreStorages } from '../../../functions/core/io/registerCoreStorages.ts';
import { openRaster } from '../../../functions/core/raster/read/openRaster.ts';
import type { TypedArray } from '../../../functions/core/raster/types.ts';

const DIR = fileURLToPath(new URL('../../fixtures/raster/', import.meta.url));

interface Expected {
  width: number; height: number; bands: number; dtype: string; nodata: number | 'nan' | null; crs: string;
  originX: number; originY: number; resX: number; resY: number; blockWidth: number; blockHeight: number;
  descriptions: (string | null)[]; metadata: Record<string, string>;
  window: { x: number; y: number; width: number; height: number };
  data: { sha256: string; sum: number; row0: (number | 'nan')[]; windowSha256: string }[];
}

const expected = JSON.parse(readFileSync(`${DIR}expected.json`, 'utf8')) as Record<string, Expected>;
const fixtures = Object.keys(expected).filter((k) => k.endsWith('.tif'));

function sha256(values: TypedArray): string {
  return createHash('sha256').update(new Uint8Array(values.buffer, values.byteOffset, values.byteLength)).digest('hex');
}

function plain(v: number): number | 'nan' {
  return Number.isNaN(v) ? 'nan' : v;
}

beforeAll(() => registerCoreStorages());

describe('openRaster on GDAL-written fixtures', () => {
  it('covers every format the reader promises', () => {
    // Prepare / Act
    const names = fixtures.join(' ');
    // Assess
    for (const kind of ['pred2', 'pred3', 'strips', 'multiband-pixel', 'planar', 'bigendian', 'bigtiff', 'lzw', 'packbits', 'sparse']) {
      expect(names).toContain(kind);
    }
  });

  it.each(fixtures)('%s: RasterInfo matches GDAL', async (name) => {
    // Prepare
    const want = expected[name];
    // Act
    const raster = await openRaster(`${DIR}${name}`);
    const { info } = raster;
    await raster.close();
    // Assess
    expect(info.grid).toEqual({
      crs: want.crs, width: want.width, height: want.height,
      originX: want.originX, originY: want.originY, resX: want.resX, resY: want.resY,
    });
    expect(info.bands).toBe(want.bands);
    expect(info.dtype).toBe(want.dtype);
    expect(info.nodata === undefined ? null : plain(info.nodata)).toEqual(want.nodata);
    expect([info.blockWidth, info.blockHeight]).toEqual([want.blockWidth, want.blockHeight]);
    expect(info.descriptions.map((d) => d ?? null)).toEqual(want.descriptions);
    expect(info.metadata).toEqual(want.metadata);
    expect(info.href).toBe(`${DIR}${name}`);
  });

  it.each(fixtures)('%s: every band reads pixel-exact, whole and by window', async (name) => {
    // Prepare
    const want = expected[name];
    const raster = await openRaster(`file://${DIR}${name}`);
    for (let band = 0; band < want.bands; band++) {
      // Act
      const whole = await raster.readWindow({ x: 0, y: 0, width: want.width, height: want.height }, band);
      const part = await raster.readWindow(want.window, band);
      // Assess
      expect(whole.length).toBe(want.width * want.height);
      expect(Array.from(whole.subarray(0, 8), plain)).toEqual(want.data[band].row0);
      expect(sha256(whole)).toBe(want.data[band].sha256);
      expect(sha256(part)).toBe(want.data[band].windowSha256);
    }
    await raster.close();
  });
});

describe('readWindow edges', () => {
  const name = 'uint16-deflate-pred2-tiled.tif';

  it('fills pixels outside the raster with nodata and keeps the inside ones', async () => {
    // Prepare
    const raster = await openRaster(`${DIR}${name}`);
    const { width, height } = raster.info.grid;
    const whole = await raster.readWindow({ x: 0, y: 0, width, height });
    // Act
    const shifted = await raster.readWindow({ x: width - 3, y: -2, width: 5, height: 4 });
    // Assess
    const nodata = raster.info.nodata ?? 0;
    expect(Array.from(shifted.subarray(0, 10))).toEqual(new Array(10).fill(nodata));
    expect(shifted[10]).toBe(whole[width - 3]);
    expect(shifted[12]).toBe(whole[width - 1]);
    expect(shifted[13]).toBe(nodata);
    expect(shifted[15]).toBe(whole[width + width - 3]);
  });

  it('reads sparse tiles as nodata', async () => {
    // Prepare
    const raster = await openRaster(`${DIR}uint16-sparse.tif`);
    // Act
    const values = await raster.readWindow({ x: 14, y: 14, width: 4, height: 1 });
    // Assess: columns 14 and 15 are in the written tile, 16 and 17 in a sparse one
    expect(Array.from(values)).toEqual([14 * 16 + 14 + 100, 14 * 16 + 15 + 100, 7, 7]);
  });

  it('rejects a band that does not exist, a non-integer window, and reads after close', async () => {
    // Prepare
    const raster = await openRaster(`${DIR}${name}`);
    // Act / Assess
    await expect(raster.readWindow({ x: 0, y: 0, width: 2, height: 2 }, 1)).rejects.toThrow(/band 1 does not exist/);
    await expect(raster.readWindow({ x: 0.5, y: 0, width: 2, height: 2 })).rejects.toThrow(/invalid window/);
    await raster.close();
    await expect(raster.readWindow({ x: 0, y: 0, width: 2, height: 2 })).rejects.toThrow(/closed/);
  });

  it('names a missing file', async () => {
    // Act / Assess
    await expect(openRaster(`${DIR}nope.tif`)).rejects.toThrow(/nope\.tif: file not found/);
  });
});
