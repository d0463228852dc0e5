/**
 * Hostile and broken TIFFs are rejected with a BadTiffError naming the file, before anything is allocated
 * from the header's claims. Headers are crafted byte by byte (tiffBuilder.ts); truncated and corrupt files
 * are made from a GDAL fixture.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BadTiffError } from '../../../functions/core/errors.ts';
import { registerCoreStorages } from '../../../functions/core/io/registerCoreStorages.ts';
import { openRaster } from '../../../functions/core/raster/read/openRaster.ts';
import { TiffBytes } from '../../../functions/core/raster/read/tiffBytes.ts';
import { TiffDirectory } from '../../../functions/core/raster/read/tiffDirectory.ts';
import { readTiffLayout } from '../../../functions/core/raster/read/tiffLayout.ts';
import { ASCII, buildTiff, DATA_OFFSET, DOUBLE, LONG, SHORT, stripImage, type Entry } from './tiffBuilder.ts';

const FIXTURE = fileURLToPath(new URL('../../fixtures/raster/uint16-deflate-pred2-tiled.tif', import.meta.url));
let dir: string;

beforeAll(() => {
  registerCoreStorages();
  dir = mkdtempSync(join(tmpdir(), 'eofn-hostile-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, bytes: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

async function rejection(promise: Promise<unknown>): Promise<BadTiffError> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(BadTiffError);
  return err as BadTiffError;
}

function tiledImage(width: number, height: number, tile: number, tiles: number, extra: Entry[] = []): Entry[] {
  return [
    { tag: 256, type: LONG, values: [width] },
    { tag: 257, type: LONG, values: [height] },
    { tag: 258, type: SHORT, values: [8] },
    { tag: 322, type: SHORT, values: [tile] },
    { tag: 323, type: SHORT, values: [tile] },
    { tag: 324, type: LONG, values: new Array(tiles).fill(DATA_OFFSET) },
    { tag: 325, type: LONG, values: new Array(tiles).fill(1) },
    ...extra,
  ];
}

describe('hostile headers', () => {
  it.each([
    ['a PNG', new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0]), /not a TIFF file \(no II\/MM/],
    ['4 bytes', new Uint8Array([0x49, 0x49, 42, 0]), /shorter than a TIFF header/],
    ['a wrong magic number', new Uint8Array([0x49, 0x49, 41, 0, 8, 0, 0, 0, 0, 0]), /magic number 41/],
    ['an IFD offset past the end', new Uint8Array([0x49, 0x49, 42, 0, 0xff, 0xff, 0, 0, 0, 0]), /first IFD offset 65535 is outside the file/],
  ])('rejects %s as not a TIFF', async (_, bytes, message) => {
    // Prepare
    const path = write('not.tif', bytes);
    // Act
    const err = await rejection(openRaster(path));
    // Assess
    expect(err.message).toMatch(message);
    expect(err.where).toBe(path);
  });

  it('rejects a BigTIFF IFD claiming 2^40 entries without reading them', async () => {
    // Prepare: header + IFD offset 16 + entry count 2^40
    const bytes = new Uint8Array(32);
    const view = new DataView(bytes.buffer);
    bytes.set([0x49, 0x49, 43, 0, 8, 0, 0, 0], 0);
    view.setBigUint64(8, 16n, true);
    view.setBigUint64(16, 2n ** 40n, true);
    // Act
    const err = await rejection(openRaster(write('big.tif', bytes)));
    // Assess
    expect(err.message).toMatch(/IFD claims 1099511627776 entries/);
  });

  it.each([
    ['zero width', stripImage(0, 4), /width 0 is outside 1\.\.1000000/],
    ['an absurd height', stripImage(4, 4, [{ tag: 257, type: LONG, values: [2_000_000] }]), /height 2000000 is outside/],
    ['20,000 bands', stripImage(4, 4, [{ tag: 277, type: SHORT, values: [20_000] }]), /SamplesPerPixel 20000 is outside 1\.\.10000/],
    ['12-bit samples', stripImage(4, 4, [{ tag: 258, type: SHORT, values: [12] }]), /unsupported sample format: 12-bit unsigned/],
    ['complex samples', stripImage(4, 4, [{ tag: 339, type: SHORT, values: [5] }]), /unsupported sample format: 8-bit SampleFormat 5/],
    ['JPEG compression', stripImage(4, 4, [{ tag: 259, type: SHORT, values: [7] }]), /unsupported compression 7/],
    ['predictor 3 on integers', stripImage(4, 4, [{ tag: 317, type: SHORT, values: [3] }]), /unsupported predictor 3 for uint8/],
    ['a missing StripOffsets', stripImage(4, 4).filter((e) => e.tag !== 273), /StripOffsets is missing/],
    ['strips past the end of the file', stripImage(4, 4, [{ tag: 273, type: LONG, values: [100_000] }]), /strip 0 \(bytes 100000\.\.100016\) lies past the end of the file/],
    ['a strip claiming far more bytes than it decodes to', stripImage(4, 4, [{ tag: 279, type: LONG, values: [10_000_000] }]), /strip 0 claims 10000000 stored bytes for 16 decoded bytes/],
    ['tiles of 8192 px', tiledImage(16_384, 16_384, 8192, 4), /tile width 8192 is outside 1\.\.4096/],
    ['fewer TileOffsets than tiles', tiledImage(64, 64, 16, 15), /TileOffsets has 15 entries but the image has 16 blocks/],
    ['more TileOffsets than tiles', tiledImage(64, 64, 16, 17), /TileOffsets has 17 entries but the image has 16 blocks/],
    ['a tile that would decode to gigabytes', tiledImage(4096, 4096, 4096, 1, [{ tag: 277, type: SHORT, values: [100] }]), /one tile would decode to 1677721600 bytes/],
    ['a rotated grid', stripImage(4, 4, [{ tag: 34264, type: DOUBLE, values: [10, 1, 0, 500000, 1, -10, 0, 5e6, 0, 0, 0, 0, 0, 0, 0, 1] }]), /rotated or sheared/],
    ['a south-up grid', stripImage(4, 4, [{ tag: 34264, type: DOUBLE, values: [10, 0, 0, 500000, 0, 10, 0, 5e6, 0, 0, 0, 0, 0, 0, 0, 1] }]), /not north-up/],
    ['text as nodata', stripImage(4, 4, [{ tag: 42113, type: ASCII, values: 'none' }]), /GDAL_NODATA "none" is not a number/],
  ])('rejects %s', async (_, entries, message) => {
    // Prepare
    const path = write('hostile.tif', buildTiff({ entries, data: new Uint8Array(16) }));
    // Act
    const err = await rejection(openRaster(path));
    // Assess
    expect(err.message).toMatch(message);
    expect(err.message.startsWith(`${path}: `)).toBe(true);
  });

  it('rejects a TileOffsets count of 2^32-1 before allocating for it', async () => {
    // Prepare: the entry claims 4 billion offsets at an offset inside the file
    const entries = tiledImage(64, 64, 16, 16).map((e) => (e.tag === 324 ? { ...e, count: 0xffffffff } : e));
    const path = write('claims.tif', buildTiff({ entries, data: new Uint8Array(16) }));
    // Act
    const err = await rejection(openRaster(path));
    // Assess
    expect(err.message).toMatch(/TileOffsets has 4294967295 entries but the image has 16 blocks/);
  });

  it('rejects a GDAL_METADATA tag claiming more bytes than the file holds', async () => {
    // Prepare
    const entries = stripImage(4, 4, [{ tag: 42112, type: ASCII, values: '<GDALMetadata/>', count: 1_000_000 }]);
    const path = write('xml.tif', buildTiff({ entries, data: new Uint8Array(16) }));
    // Act
    const err = await rejection(openRaster(path));
    // Assess
    expect(err.message).toMatch(/GDAL_METADATA \(bytes \d+\.\.\d+\) lies past the end of the file/);
  });
});

describe('hand-made valid TIFFs', () => {
  it('reads a big-endian strip image with a ModelTransformation grid and no CRS', async () => {
    // Prepare: 3 x 2 uint16, big-endian, values 1..6
    const data = new Uint8Array([0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6]);
    const entries = stripImage(3, 2, [
      { tag: 258, type: SHORT, values: [16] },
      { tag: 279, type: LONG, values: [12] },
      { tag: 34264, type: DOUBLE, values: [10, 0, 0, 500000, 0, -20, 0, 5e6, 0, 0, 0, 0, 0, 0, 0, 1] },
      { tag: 42113, type: ASCII, values: '-inf' },
    ]);
    const raster = await openRaster(write('be.tif', buildTiff({ entries, data, littleEndian: false })));
    // Act
    const values = await raster.readWindow({ x: 1, y: 0, width: 2, height: 2 });
    // Assess
    expect(Array.from(values)).toEqual([2, 3, 5, 6]);
    expect(raster.info.grid).toEqual({ crs: '', width: 3, height: 2, originX: 500000, originY: 5e6, resX: 10, resY: 20 });
    expect(raster.info.nodata).toBe(Number.NEGATIVE_INFINITY);
    expect(raster.info.metadata).toEqual({});
  });

  it('reads the same offsets from a little- and a big-endian header', async () => {
    // Prepare
    const entries = tiledImage(64, 64, 16, 16);
    const le = write('le.tif', buildTiff({ entries, data: new Uint8Array(16), littleEndian: true }));
    const be = write('be2.tif', buildTiff({ entries, data: new Uint8Array(16), littleEndian: false }));
    // Act
    const [a, b] = await Promise.all([le, be].map(async (p) => readTiffLayout(await TiffDirectory.read(await TiffBytes.open(p)))));
    // Assess
    expect(Array.from(b.blockOffsets)).toEqual(Array.from(a.blockOffsets));
    expect(a.blocksAcross * a.blocksDown).toBe(16);
    expect(b.littleEndian).toBe(false);
  });
});

describe('truncated and corrupt files', () => {
  it('names the tile whose bytes lie past the end of a truncated file', async () => {
    // Prepare: GDAL writes tiles after the header, so cutting the file drops the last tiles
    const path = join(dir, 'cut.tif');
    copyFileSync(FIXTURE, path);
    truncateSync(path, readFileSync(FIXTURE).length - 100);
    // Act
    const err = await rejection(openRaster(path));
    // Assess
    expect(err.message).toMatch(/^.*cut\.tif: tile \d+ \(bytes \d+\.\.\d+\) lies past the end of the file/);
  });

  it('names the strip when the file shrinks after opening', async () => {
    // Prepare: 300 x 300 uint8 in 3 strips of 100 rows, larger than the header the reader keeps (64 KiB)
    const entries = stripImage(300, 300, [
      { tag: 273, type: LONG, values: [DATA_OFFSET, DATA_OFFSET + 30_000, DATA_OFFSET + 60_000] },
      { tag: 278, type: SHORT, values: [100] },
      { tag: 279, type: LONG, values: [30_000, 30_000, 30_000] },
    ]);
    const bytes = buildTiff({ entries, data: new Uint8Array(90_000).fill(9) });
    const path = write('shrunk.tif', bytes);
    const raster = await openRaster(path);
    truncateSync(path, 80_000);
    // Act
    const err = await rejection(raster.readWindow({ x: 0, y: 0, width: 300, height: 300 }));
    // Assess
    expect(err.message).toMatch(/shrunk\.tif: strip 2 \(bytes 60008\.\.90008\) is past the end of the file: the file is truncated/);
  });

  it('names the tile whose DEFLATE stream is corrupt, with no zlib stack trace', async () => {
    // Prepare: overwrite the middle of the last tile's compressed bytes
    const bytes = new Uint8Array(readFileSync(FIXTURE));
    const path = write('corrupt.tif', bytes);
    const layout = await readTiffLayout(await TiffDirectory.read(await TiffBytes.open(path)));
    const last = layout.blockOffsets.length - 1;
    const start = layout.blockOffsets[last] + 2;
    bytes.fill(0xff, start, start + Math.min(40, layout.blockByteCounts[last] - 4));
    writeFileSync(path, bytes);
    const raster = await openRaster(path);
    const { width, height } = raster.info.grid;
    // Act
    const err = await rejection(raster.readWindow({ x: 0, y: 0, width, height }));
    // Assess
    expect(err.message).toMatch(new RegExp(`corrupt\\.tif: tile ${last}: DEFLATE data is corrupt or truncated`));
  });
});
