/**
 * Every JPEG 2000 fixture (test/fixtures/jp2/make-fixtures.sh: archive-style files GDAL wrote from the sample
 * COGs, and three real Sentinel-2 JP2s) reads pixel-exact: the SHA-256 of each band, whole, through a window
 * crossing tile edges and at the first two reduced resolutions, equals what GDAL's JP2OpenJPEG driver read
 * (expected.json); the grid matches GDAL's. Lossless files also equal the COG they were made from.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerCoreStorages } from '../../../../functions/core/io/registerCoreStorages.ts';
import { openRaster, type RasterFallback } from '../../../../functions/core/raster/read/openRaster.ts';
import { readJ2kMainHeader } from '../../../../functions/core/raster/read/jp2/j2kMainHeader.ts';
import { readJ2kTileParts } from '../../../../functions/core/raster/read/jp2/j2kTileParts.ts';
import { readJp2Boxes } from '../../../../functions/core/raster/read/jp2/jp2Boxes.ts';
import { partsFor } from '../../../../functions/core/raster/read/jp2/readJp2Window.ts';
import { TiffBytes } from '../../../../functions/core/raster/read/tiffBytes.ts';
import type { TypedArray } from '../../../../functions/core/raster/types.ts';

const DIR = fileURLToPath(new URL('../../../fixtures/jp2/', import.meta.url));
const SAMPLE = fileURLToPath(new URL('../../../../sample-data/s2-l2a-33TWM/S2B_33TWM_20230810_0_L2A/', import.meta.url));

interface Expected {
  width: number; height: number; bands: number; dtype: string; crs: string | null;
  originX: number | null; originY: number | null; resX: number | null; resY: number | null;
  window: { x: number; y: number; width: number; height: number };
  data: { sha256: string; sum: number; row0: number[]; windowSha256: string; levels: { width: number; height: number; sha256: string }[] }[];
}

const expected = JSON.parse(readFileSync(`${DIR}expected.json`, 'utf8')) as Record<string, Expected>;
const files = Object.keys(expected);
/** Where the files without georeferencing are (the 160 x 120 crop at x=40 y=60 of the 120 m sample), as a STAC item would say. */
const CROP_PROJ: RasterFallback = { crs: 'EPSG:32633', transform: [120, 0, 511500 + 40 * 120, 0, -120, 5173140 - 60 * 120] };

function sha256(values: TypedArray): string {
  return createHash('sha256').update(new Uint8Array(values.buffer, values.byteOffset, values.byteLength)).digest('hex');
}

function sum(values: TypedArray): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i];
  return s;
}

beforeAll(() => registerCoreStorages());

describe('openRaster on JPEG 2000 files', () => {
  it('covers the layouts the reader promises', () => {
    // Prepare / Act
    const names = files.join(' ');
    // Assess: TLM and SOT-walked indexes, GMLJP2, GeoJP2, none, bare code-stream, several components, real files
    for (const kind of ['cdse/', 'rpcl-tlm', 'sot-gml', 'geojp2', 'nogeo', '.j2k', 'rgb-3band', 'real/scl-60m', 'real/T55HFA', 'real/T56JMM']) {
      expect(names).toContain(kind);
    }
  });

  it.each(files)('%s: grid, dtype and pixels match GDAL', async (name) => {
    // Prepare
    const want = expected[name];
    // Act
    const raster = await openRaster(`${DIR}${name}`, want.crs ? {} : CROP_PROJ);
    // Assess
    const { grid } = raster.info;
    expect([grid.width, grid.height, raster.info.bands, raster.info.dtype]).toEqual([want.width, want.height, want.bands, want.dtype]);
    if (want.crs) {
      expect(grid).toEqual({ crs: want.crs, width: want.width, height: want.height, originX: want.originX, originY: want.originY, resX: want.resX, resY: want.resY });
    } else {
      expect(grid.originX).toBe(CROP_PROJ.transform![2]);
    }
    for (let b = 0; b < want.bands; b++) {
      const all = await raster.readWindow({ x: 0, y: 0, width: want.width, height: want.height }, b);
      expect(sum(all)).toBe(want.data[b].sum);
      expect([...all.subarray(0, 8)]).toEqual(want.data[b].row0);
      expect(sha256(all)).toBe(want.data[b].sha256);
      expect(sha256(await raster.readWindow(want.window, b))).toBe(want.data[b].windowSha256);
      for (const [i, level] of want.data[b].levels.entries()) {
        const reduced = await raster.readWindow({ x: 0, y: 0, width: level.width, height: level.height }, b, i + 1);
        expect(sha256(reduced), `level ${i + 1}`).toBe(level.sha256);
      }
    }
    await raster.close();
  });

  it('a lossless archive-style JP2 holds exactly the COG it was made from, window by window', async () => {
    // Prepare
    const jp2 = await openRaster(`${DIR}variants/b04-sot-gml.jp2`);
    const cog = await openRaster(`${SAMPLE}B04.tif`);
    // Act / Assess
    expect(jp2.info.grid).toEqual(cog.info.grid);
    for (const w of [{ x: 0, y: 0, width: 256, height: 256 }, { x: 90, y: 75, width: 17, height: 130 }, { x: -5, y: 250, width: 20, height: 20 }]) {
      expect(sha256(await jp2.readWindow(w))).toBe(sha256(await cog.readWindow(w)));
    }
  });

  it('nodata comes from the STAC fallback (a JP2 has no nodata field) and fills what lies outside the image', async () => {
    // Prepare
    const raster = await openRaster(`${DIR}variants/b04-geojp2.jp2`, { nodata: 7 });
    // Act
    const window = await raster.readWindow({ x: -2, y: 0, width: 4, height: 1 });
    // Assess
    expect(raster.info.nodata).toBe(7);
    expect([...window.subarray(0, 2)]).toEqual([7, 7]);
  });
});

describe('reduced resolutions read less', () => {
  it('a tile stored as one tile-part per resolution (RPCL) gives its coarse tile-parts only, and GDAL\'s pixels', async () => {
    // Prepare
    const name = 'variants/b04-rpcl-tlm.jp2';
    const bytes = await TiffBytes.open(`${DIR}${name}`);
    const header = await readJ2kMainHeader(bytes, (await readJp2Boxes(bytes)).codestream);
    const parts = await readJ2kTileParts(bytes, header);
    const raster = await openRaster(`${DIR}${name}`);
    // Act
    const reduced = await raster.readWindow({ x: 0, y: 0, width: 128, height: 128 }, 0, 1);
    // Assess
    expect([header.resolutionMajor, header.levels, parts[5].length]).toEqual([true, 3, 4]);
    expect(partsFor(header, parts[5], 1)).toEqual(parts[5].slice(0, 3));
    expect(partsFor(header, parts[5], 3)).toEqual(parts[5].slice(0, 1));
    expect(partsFor(header, parts[5], 0)).toEqual(parts[5]);
    expect(sha256(reduced)).toBe(expected[name].data[0].levels[0].sha256);
  });

  it('other progressions, or other tile-part splits, keep every tile-part', async () => {
    // Prepare: LRCP, one tile-part per tile, as ESA's files (and the CDSE-style fixtures) are
    const bytes = await TiffBytes.open(`${DIR}${files.find((f) => f.startsWith('cdse/'))}`);
    const header = await readJ2kMainHeader(bytes, (await readJp2Boxes(bytes)).codestream);
    const parts = await readJ2kTileParts(bytes, header);
    // Act / Assess
    expect(header.resolutionMajor).toBe(false);
    expect(partsFor(header, parts[0], 2)).toEqual(parts[0]);
  });
});
