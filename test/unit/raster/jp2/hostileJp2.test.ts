/**
 * Hostile and broken JPEG 2000 files are rejected with an error naming the file, before anything is allocated
 * from their claims: huge SIZ sizes, tile counts, box lengths, code-block sizes and decomposition levels,
 * a TLM index past the end, truncated files, corrupt tile data. Made by patching GDAL-written fixtures.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BadJp2Error, BadTiffError, InputError } from '../../../../functions/core/errors.ts';
import { registerCoreStorages } from '../../../../functions/core/io/registerCoreStorages.ts';
import { openRaster } from '../../../../functions/core/raster/read/openRaster.ts';

const FIXTURES = fileURLToPath(new URL('../../../fixtures/jp2/', import.meta.url));
const WITH_TLM = readFileSync(`${FIXTURES}variants/b04-rpcl-tlm.jp2`);
const WITHOUT_TLM = readFileSync(`${FIXTURES}variants/b04-sot-gml.jp2`);
const FULL = { x: 0, y: 0, width: 256, height: 256 };
let dir: string;

beforeAll(() => {
  registerCoreStorages();
  dir = mkdtempSync(join(tmpdir(), 'eofn-hostile-jp2-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A copy of `source` with `edit` applied; its path. */
function patched(name: string, source: Buffer, edit: (b: Buffer, cs: number) => Buffer | void): string {
  const copy = Buffer.from(source);
  const cs = copy.indexOf(Buffer.from([0xff, 0x4f, 0xff, 0x51]));
  const out = edit(copy, cs) ?? copy;
  const path = join(dir, name);
  writeFileSync(path, out);
  return path;
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(InputError);
  return err as Error;
}

async function openAndRead(path: string) {
  const raster = await openRaster(path);
  return raster.readWindow(FULL);
}

describe('hostile JPEG 2000 headers', () => {
  it('an image of 2^31 x 2^31 pixels is refused from the SIZ marker', async () => {
    const path = patched('huge.jp2', WITH_TLM, (b, cs) => { b.writeUInt32BE(0x7fffffff, cs + 8); b.writeUInt32BE(0x7fffffff, cs + 12); });
    const err = await failure(openRaster(path));
    expect(err).toBeInstanceOf(BadJp2Error);
    expect(err.message).toContain(path);
    expect(err.message).toMatch(/SIZ claims an image of 2147483647 x 2147483647 pixels/);
  });

  it('one-pixel tiles (67 million of them for a Sentinel-2 band) are refused by count', async () => {
    const path = patched('tiles.jp2', WITH_TLM, (b, cs) => { b.writeUInt32BE(1, cs + 24); b.writeUInt32BE(1, cs + 28); });
    expect((await failure(openRaster(path))).message).toMatch(/SIZ claims 256 x 256 tiles \(at most 65535\)/);
  });

  it('a tile too big to decode in memory is refused', async () => {
    const path = patched('bigtile.jp2', WITH_TLM, (b, cs) => {
      b.writeUInt32BE(100_000, cs + 8); b.writeUInt32BE(100_000, cs + 12); b.writeUInt32BE(100_000, cs + 24); b.writeUInt32BE(100_000, cs + 28);
    });
    expect((await failure(openRaster(path))).message).toMatch(/tiles of 100000 x 100000 pixels .* more than 536870912 bytes decoded/);
  });

  it('code-blocks larger than the standard allows, and 40 decomposition levels, are refused', async () => {
    // COD follows SIZ: marker (2), Lcod (2), Scod, progression, layers (2), MCT, levels, xcb, ycb
    const cod = (b: Buffer, cs: number) => cs + 4 + b.readUInt16BE(cs + 4);
    const blocks = patched('codeblocks.jp2', WITH_TLM, (b, cs) => { b[cod(b, cs) + 10] = 9; });
    const levels = patched('levels.jp2', WITH_TLM, (b, cs) => { b[cod(b, cs) + 9] = 40; });
    expect((await failure(openRaster(blocks))).message).toMatch(/COD claims code-blocks of 2048 x 64/);
    expect((await failure(openRaster(levels))).message).toMatch(/COD claims 40 decomposition levels/);
  });

  it('a box claiming more bytes than the file holds, or fewer than its header, is refused', async () => {
    const ftyp = WITH_TLM.indexOf(Buffer.from('ftyp')) - 4;
    const long = patched('longbox.jp2', WITH_TLM, (b) => { b.writeUInt32BE(0xfffffff0, ftyp); });
    const short = patched('shortbox.jp2', WITH_TLM, (b) => { b.writeUInt32BE(3, ftyp); });
    expect((await failure(openRaster(long))).message).toMatch(/box "ftyp" at byte 12 claims 4294967280 bytes, past the end of the file/);
    expect((await failure(openRaster(short))).message).toMatch(/box "ftyp" at byte 12 claims 3 bytes, less than its own header/);
  });

  it('a TLM index pointing past the end of the code-stream is refused', async () => {
    const path = patched('tlm.jp2', WITH_TLM, (b) => {
      const tlm = b.indexOf(Buffer.from([0xff, 0x55]));
      b.writeUInt32BE(0x7fffffff, tlm + 7); // Ztlm, Stlm, then the first entry: Ttlm (2 bytes), Ptlm (4 bytes)
    });
    expect((await failure(openRaster(path))).message).toMatch(/tile-part of tile 0 \(bytes \d+\.\.\d+\) runs past the end of the code-stream/);
  });

  it('packed packet headers (PPM) are refused with a clear reason', async () => {
    const path = patched('ppm.jp2', WITH_TLM, (b) => { b.writeUInt16BE(0xff60, b.indexOf(Buffer.from([0xff, 0x55]))); });
    expect((await failure(openRaster(path))).message).toMatch(/packed packet headers \(PPM\) are not supported/);
  });

  it('a file that is neither TIFF nor JPEG 2000 says so', async () => {
    const path = patched('text.jp2', Buffer.from('<html>not found</html>'), () => undefined);
    expect(await failure(openRaster(path))).toBeInstanceOf(BadTiffError);
  });
});

describe('truncated and corrupt JPEG 2000 files', () => {
  it.each([
    ['with a TLM index', WITH_TLM],
    ['without (tile-parts found by walking SOT markers)', WITHOUT_TLM],
  ])('a file cut in half (%s) names the file and says it is truncated', async (_, source) => {
    const path = patched(`half-${source.length}.jp2`, source, (b) => b.subarray(0, b.length >> 1));
    const err = await failure(openAndRead(path));
    expect(err.message).toContain(path);
    expect(err.message).toMatch(/truncated/);
  });

  it('a file whose jp2c box runs "to the end" but lost its tail names the tile that is missing', async () => {
    const path = patched('tail.jp2', WITHOUT_TLM, (b) => {
      b.writeUInt32BE(0, b.indexOf(Buffer.from('jp2c')) - 4); // length 0: the code-stream box ends with the file
      return b.subarray(0, b.length - 20_000);
    });
    const err = await failure(openAndRead(path));
    expect(err.message).toContain(path);
    expect(err.message).toMatch(/truncated/);
  });

  it('a corrupt tile fails naming the tile, and the next read decodes normally', async () => {
    // Prepare: in tile 5, a QCD marker segment claiming more bytes than its tile-part holds
    const path = patched('corrupt.jp2', WITHOUT_TLM, (b) => {
      let at = b.indexOf(Buffer.from([0xff, 0x90]));
      while (b.readUInt16BE(at + 4) !== 5) at += b.readUInt32BE(at + 6);
      b.writeUInt32BE(0xff5cfff0, at + 12);
    });
    const raster = await openRaster(path);
    // Act
    const err = await failure(raster.readWindow({ x: 96 * 2, y: 80, width: 10, height: 10 }));
    const healthy = await raster.readWindow({ x: 0, y: 0, width: 10, height: 10 });
    // Assess
    expect(err.message).toContain(path);
    expect(err.message).toMatch(/tile 5: OpenJPEG could not decode the tile: .*Sot length is less than marker size/);
    expect(healthy.length).toBe(100);
  });

  it('a file without georeferencing and without STAC proj:* says what it lacks', async () => {
    const err = await failure(openRaster(`${FIXTURES}variants/b04-nogeo.jp2`));
    expect(err.message).toMatch(/has no georeferencing: no GeoJP2 or GMLJP2 box, and its STAC asset has no proj:code and proj:transform/);
  });
});
