import { readFileSync } from 'node:fs';
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { writeCog } from '../../../functions/core/raster/cog/writeCog.ts';
import { gdalinfoJson, gdalReadBand, hasGdal, validateCog } from '../../helpers/gdal.ts';
import { gridOf, ndviLike, openTif, referenceHalve, sameBytes, tmpTif } from './cogTestKit.ts';

const GDAL = hasGdal();

describe('writeCog float32, one band, NaN nodata', () => {
  // Prepare: 300x200 with 64-px tiles => 5x4 partial-edge tiles and overviews 150x100, 75x50, 38x25.
  const width = 300, height = 200;
  const ndvi = ndviLike(width, height);
  ndvi.fill(NaN, 0, 3); // row 0, x 0..2
  ndvi.fill(NaN, width, width + 4); // row 1, x 0..3  => block (0,0) all NaN, block (1,0) only has (3,0)
  const path = tmpTif('ndvi');
  const written = writeCog(path, {
    grid: gridOf(width, height), bands: [ndvi], dtype: 'float32', nodata: NaN, blockSize: 64,
    descriptions: ['ndvi'], metadata: { FIRST_DATE: '2024-06-01', PRODUCT: 'ndvi & <friends>' },
  });

  it('round-trips the pixels exactly', async () => {
    // Act
    await written;
    const image = await (await openTif(path)).getImage(0);
    const [band] = await image.readRasters();
    // Assess
    expect(sameBytes(ndvi, band as Float32Array)).toBe(true);
  });

  it('has tiled DEFLATE + floating-point predictor and overviews of GDAL sizes', async () => {
    await written;
    const tiff = await openTif(path);
    const sizes = [];
    for (let i = 0; i < (await tiff.getImageCount()); i++) {
      const im = await tiff.getImage(i);
      sizes.push([im.getWidth(), im.getHeight()]);
      expect(im.getTileWidth()).toBe(64);
      expect(im.fileDirectory.getValue('Compression')).toBe(8);
      expect(await im.fileDirectory.loadValue('Predictor')).toBe(3);
      expect(im.getSampleFormat(0)).toBe(3);
      expect(im.fileDirectory.getValue('NewSubfileType')).toBe(i === 0 ? undefined : 1);
      expect(im.getGDALNoData()).toBeNaN();
    }
    expect(sizes).toEqual([[300, 200], [150, 100], [75, 50], [38, 25]]);
  });

  it('averages overviews ignoring NaN', async () => {
    await written;
    const tiff = await openTif(path);
    const [ov1] = await (await tiff.getImage(1)).readRasters();
    const [ov2] = await (await tiff.getImage(2)).readRasters();
    const want1 = referenceHalve(ndvi, width, height, undefined, false);
    const want2 = referenceHalve(Array.from(ov1 as Float32Array), 150, 100, undefined, false);
    expect((ov1 as Float32Array)[0]).toBeNaN();
    expect((ov1 as Float32Array)[1]).toBe(ndvi[3]);
    expect(Array.from(ov1 as Float32Array).map((v, i) => Number.isNaN(v) ? Number.isNaN(want1[i]) : Math.abs(v - want1[i]) < 1e-6))
      .not.toContain(false);
    expect(Array.from(ov2 as Float32Array).map((v, i) => Number.isNaN(v) ? Number.isNaN(want2[i]) : Math.abs(v - want2[i]) < 1e-6))
      .not.toContain(false);
  });

  it('carries georeferencing, descriptions and metadata', async () => {
    await written;
    const image = await (await openTif(path)).getImage(0);
    const keys = image.getGeoKeys();
    expect(keys?.ProjectedCSTypeGeoKey).toBe(32633);
    expect(keys?.GTModelTypeGeoKey).toBe(1);
    expect(keys?.GTRasterTypeGeoKey).toBe(1);
    expect(image.getOrigin()).toEqual([600000, 5100000, 0]);
    expect(image.getResolution()).toEqual([10, -10, 0]);
    expect(await image.getGDALMetadata(0)).toEqual({ DESCRIPTION: 'ndvi' });
    // Values are escaped twice, as GDAL does.
    expect(await image.getGDALMetadata()).toEqual({ FIRST_DATE: '2024-06-01', PRODUCT: 'ndvi &amp;amp; &amp;lt;friends&amp;gt;' });
  });

  it.runIf(GDAL)('passes GDAL COG validation and gdalinfo agrees', async () => {
    await written;
    expect(validateCog(path)).toEqual({ errors: [], warnings: [] });
    const info = gdalinfoJson(path);
    expect(info.coordinateSystem?.wkt).toContain('ID["EPSG",32633]]');
    expect(info.geoTransform).toEqual([600000, 10, 0, 5100000, 0, -10]);
    expect(info.metadata?.['']).toEqual({ AREA_OR_POINT: 'Area', FIRST_DATE: '2024-06-01', PRODUCT: 'ndvi & <friends>' });
    expect(info.metadata?.IMAGE_STRUCTURE).toMatchObject({ COMPRESSION: 'DEFLATE', LAYOUT: 'COG', PREDICTOR: '3' });
    expect(info.bands[0]).toMatchObject({ type: 'Float32', description: 'ndvi', noDataValue: 'NaN', block: [64, 64] });
    expect(info.bands[0].overviews).toEqual([{ size: [150, 100] }, { size: [75, 50] }, { size: [38, 25] }]);
    const [ov1] = await (await (await openTif(path)).getImage(1)).readRasters();
    expect(sameBytes(Float32Array.from(gdalReadBand(path, 1)), ndvi)).toBe(true);
    expect(sameBytes(Float32Array.from(gdalReadBand(path, 1, 0)), ov1 as Float32Array)).toBe(true);
  });
});

describe('writeCog uint8, three bands', () => {
  // Prepare: 130x70, 32-px tiles => overviews 65x35, 33x18, 17x9; nodata 7 must pad the edge tiles.
  const width = 130, height = 70;
  const bands = [0, 1, 2].map((b) => Uint8Array.from({ length: width * height }, (_, i) => (i * (b + 3) + b) % 251));
  const path = tmpTif('rgb');
  const written = writeCog(path, {
    grid: gridOf(width, height), bands, dtype: 'uint8', nodata: 7, blockSize: 32, descriptions: ['red', 'green', 'blue'],
  });

  it('round-trips all bands, pixel-interleaved with the horizontal predictor', async () => {
    await written;
    const image = await (await openTif(path)).getImage(0);
    const got = await image.readRasters();
    expect(image.getSamplesPerPixel()).toBe(3);
    expect(image.fileDirectory.getValue('PlanarConfiguration')).toBe(1);
    expect(await image.fileDirectory.loadValue('Predictor')).toBe(2);
    bands.forEach((b, i) => expect(sameBytes(b, got[i] as Uint8Array)).toBe(true));
    expect(await image.getGDALMetadata(2)).toEqual({ DESCRIPTION: 'blue' });
  });

  it('takes the top-left pixel of each 2x2 block for integer overviews (nearest)', async () => {
    await written;
    const tiff = await openTif(path);
    const ov = await tiff.getImage(1);
    const got = await ov.readRasters();
    expect([ov.getWidth(), ov.getHeight()]).toEqual([65, 35]);
    const want = Uint8Array.from({ length: 65 * 35 }, (_, i) => bands[1][2 * Math.floor(i / 65) * width + 2 * (i % 65)]);
    expect(sameBytes(want, got[1] as Uint8Array)).toBe(true);
    expect([(await tiff.getImage(3)).getWidth(), (await tiff.getImage(3)).getHeight()]).toEqual([17, 9]);
  });

  it('pads partial edge tiles with nodata', async () => {
    await written;
    const image = await (await openTif(path)).getImage(0);
    // Tile (4, 2) covers x 128..159, y 64..95: only 2x6 pixels are inside the image.
    const index = 2 * 5 + 4;
    const offset = Number(await image.fileDirectory.loadValueIndexed('TileOffsets', index));
    const count = Number(await image.fileDirectory.loadValueIndexed('TileByteCounts', index));
    const px = inflateSync(readFileSync(path).subarray(offset, offset + count));
    for (let r = 0; r < 32; r++) {
      for (let i = 3; i < 96; i++) px[r * 96 + i] = (px[r * 96 + i] + px[r * 96 + i - 3]) & 255; // undo predictor 2
    }
    expect(px[0]).toBe(bands[0][64 * width + 128]);
    expect(px[(31 * 32 + 31) * 3]).toBe(7);
    expect(px[(0 * 32 + 2) * 3 + 1]).toBe(7);
  });

  it.runIf(GDAL)('passes GDAL COG validation and GDAL reads the same pixels', async () => {
    await written;
    expect(validateCog(path)).toEqual({ errors: [], warnings: [] });
    const info = gdalinfoJson(path);
    expect(info.bands.map((b) => b.description)).toEqual(['red', 'green', 'blue']);
    expect(info.bands.map((b) => b.noDataValue)).toEqual([7, 7, 7]);
    expect(info.metadata?.IMAGE_STRUCTURE?.INTERLEAVE).toBe('PIXEL');
    expect(Uint8Array.from(gdalReadBand(path, 3))).toEqual(bands[2]);
    expect(gdalReadBand(path, 2, 0)[65 + 1]).toBe(bands[1][2 * width + 2]);
  });
});

describe('writeCog uint16 average overviews', () => {
  it('average ignores nodata and rounds to the integer type', async () => {
    // Prepare: 34x18 with 16-px tiles => overviews 17x9 and 9x5.
    const width = 34, height = 18, nd = 65535;
    const band = Uint16Array.from({ length: width * height }, (_, i) => 1000 + (i % 97));
    band.set([10, 11, nd, 5, nd, nd], 0);
    band.set([20, 22, nd, nd, nd, nd], width);
    const path = tmpTif('u16');
    // Act
    await writeCog(path, { grid: gridOf(width, height), bands: [band], dtype: 'uint16', nodata: nd, blockSize: 16, overviewResampling: 'average' });
    // Assess
    const tiff = await openTif(path);
    const [ov] = await (await tiff.getImage(1)).readRasters();
    expect(Array.from((ov as Uint16Array).subarray(0, 3))).toEqual([16, 5, nd]); // mean(10,11,20,22)=15.75
    expect(Array.from(ov as Uint16Array)).toEqual(referenceHalve(band, width, height, nd, true));
    if (GDAL) expect(validateCog(path)).toEqual({ errors: [], warnings: [] });
  });
});

describe('writeCog other sample types', () => {
  it.each([
    ['int8', Int8Array, [-128, 127, -1, 0]],
    ['int16', Int16Array, [-32768, 32767, -1, 0]],
    ['uint32', Uint32Array, [0, 4294967295, 1, 2147483648]],
    ['int32', Int32Array, [-2147483648, 2147483647, -1, 0]],
    ['float64', Float64Array, [-1e300, 1e-300, Math.PI, -0]],
  ] as const)('%s round-trips extremes through the predictor', async (dtype, Ctor, extremes) => {
    const width = 50, height = 40;
    const band = new Ctor(width * height);
    for (let i = 0; i < band.length; i++) band[i] = extremes[(i * 7 + (i >> 3)) % 4];
    const path = tmpTif(dtype);
    await writeCog(path, { grid: gridOf(width, height), bands: [band], dtype, blockSize: 16 });
    const [got] = await (await (await openTif(path)).getImage(0)).readRasters();
    expect(sameBytes(band, got as typeof band)).toBe(true);
    if (GDAL) {
      expect(validateCog(path)).toEqual({ errors: [], warnings: [] });
      expect(Array.from(gdalReadBand(path, 1))).toEqual(Array.from(band, Number));
    }
  });
});

describe('writeCog geographic CRS', () => {
  it('writes GeographicTypeGeoKey for EPSG:4326', async () => {
    const path = tmpTif('wgs84');
    const grid = { crs: 'EPSG:4326', width: 40, height: 20, originX: 12.5, originY: 46.25, resX: 0.0005, resY: 0.00025 };
    await writeCog(path, { grid, bands: [ndviLike(40, 20)], dtype: 'float32' });
    const image = await (await openTif(path)).getImage(0);
    expect(image.getGeoKeys()).toMatchObject({ GTModelTypeGeoKey: 2, GeographicTypeGeoKey: 4326 });
    expect(image.getGeoKeys()?.ProjectedCSTypeGeoKey).toBeUndefined();
    expect(image.getGDALNoData()).toBeNull();
    if (GDAL) {
      const info = gdalinfoJson(path);
      expect(info.coordinateSystem?.wkt).toMatch(/^GEOGCRS\[.*ID\["EPSG",4326\]\]$/s);
      expect(info.geoTransform).toEqual([12.5, 0.0005, 0, 46.25, 0, -0.00025]);
      expect(info.bands[0].noDataValue).toBeUndefined();
    }
  });
});

describe('writeCog determinism and BigTIFF', () => {
  const input = () => ({
    grid: gridOf(200, 150), bands: [ndviLike(200, 150, 3), ndviLike(200, 150, 4)], dtype: 'float32' as const,
    nodata: -9999, blockSize: 64, descriptions: ['a', 'count'],
  });

  it('writes identical bytes for identical input', async () => {
    const a = tmpTif('det-a'), b = tmpTif('det-b');
    await writeCog(a, input());
    await writeCog(b, input());
    expect(readFileSync(a).equals(readFileSync(b))).toBe(true);
  });

  it('writes a readable, valid BigTIFF when asked', async () => {
    const path = tmpTif('big');
    const { bytes } = await writeCog(path, { ...input(), bigTiff: true });
    const file = readFileSync(path);
    expect(file.length).toBe(bytes);
    expect(file.subarray(0, 4)).toEqual(Buffer.from([0x49, 0x49, 0x2b, 0x00]));
    const got = await (await (await openTif(path)).getImage(0)).readRasters();
    expect(sameBytes(input().bands[1], got[1] as Float32Array)).toBe(true);
    if (GDAL) {
      expect(validateCog(path)).toEqual({ errors: [], warnings: [] });
      expect(gdalinfoJson(path).bands[1]).toMatchObject({ description: 'count', noDataValue: -9999 });
    }
  });
});
