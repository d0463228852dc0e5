import { readdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../functions/core/errors.ts';
import { writeCog } from '../../../functions/core/raster/cog/writeCog.ts';
import { hasGdal, validateCog } from '../../helpers/gdal.ts';
import { gridOf, ifdChain, ndviLike, openTif, tmpTif } from './cogTestKit.ts';

const GHOST =
  'GDAL_STRUCTURAL_METADATA_SIZE=000140 bytes\nLAYOUT=IFDS_BEFORE_DATA\nBLOCK_ORDER=ROW_MAJOR\n' +
  'BLOCK_LEADER=SIZE_AS_UINT4\nBLOCK_TRAILER=LAST_4_BYTES_REPEATED\nKNOWN_INCOMPATIBLE_EDITION=NO\n ';

async function tilesOf(path: string): Promise<{ offsets: number[]; counts: number[] }[]> {
  const tiff = await openTif(path);
  const levels = [];
  for (let i = 0; i < (await tiff.getImageCount()); i++) {
    const fd = (await tiff.getImage(i)).fileDirectory;
    levels.push({
      offsets: Array.from(await fd.loadValue('TileOffsets') as ArrayLike<number>, Number),
      counts: Array.from(await fd.loadValue('TileByteCounts') as ArrayLike<number>, Number),
    });
  }
  return levels;
}

describe.each([false, true])('COG layout (bigTiff %s)', (bigTiff) => {
  // Prepare: 3 overviews (150x100, 75x50, 38x25) over 64-px tiles.
  const path = tmpTif(`layout-${bigTiff}`);
  const written = writeCog(path, { grid: gridOf(300, 200), bands: [ndviLike(300, 200)], dtype: 'float32', blockSize: 64, bigTiff });

  it('starts with the header, GDAL ghost metadata, then all directories', async () => {
    await written;
    const file = readFileSync(path);
    const headerEnd = bigTiff ? 16 : 8;
    expect(file.subarray(headerEnd, headerEnd + GHOST.length).toString('latin1')).toBe(GHOST);
    const ifds = ifdChain(file);
    expect(ifds).toHaveLength(4);
    expect(ifds[0]).toBe(headerEnd + GHOST.length + ((headerEnd + GHOST.length) % 2));
    const firstTile = Math.min(...(await tilesOf(path)).flatMap((l) => l.offsets));
    expect(Math.max(...ifds)).toBeLessThan(firstTile);
    expect([...ifds].sort((a, b) => a - b)).toEqual(ifds);
  });

  it('stores tiles from the smallest overview to full resolution, framed by leader and trailer', async () => {
    await written;
    const file = readFileSync(path);
    const levels = await tilesOf(path);
    const fileOrder = [...levels].reverse().flatMap((l) => l.offsets.map((o, i) => ({ o, n: l.counts[i] })));
    for (let i = 0; i < fileOrder.length; i++) {
      const { o, n } = fileOrder[i];
      expect(file.readUInt32LE(o - 4)).toBe(n);
      expect(file.subarray(o + n, o + n + 4)).toEqual(file.subarray(o + n - 4, o + n));
      if (i + 1 < fileOrder.length) expect(fileOrder[i + 1].o).toBe(o + n + 8);
      else expect(o + n + 4).toBe(file.length);
    }
  });
});

describe('COG without overviews', () => {
  it('writes a single directory when the image fits in one block', async () => {
    const path = tmpTif('small');
    await writeCog(path, { grid: gridOf(20, 30), bands: [ndviLike(20, 30)], dtype: 'float32', blockSize: 32 });
    expect(await (await openTif(path)).getImageCount()).toBe(1);
    if (hasGdal()) expect(validateCog(path)).toEqual({ errors: [], warnings: [] });
  });
});

describe('writeCog input checks', () => {
  const ok = () => ({ grid: gridOf(10, 10), bands: [new Float32Array(100)], dtype: 'float32' as const });

  it.each([
    ['cog.bands[0]', { bands: [new Float32Array(99)] }],
    ['cog.bands[0]', { bands: [new Uint8Array(100)] }],
    ['cog.bands', { bands: [] }],
    ['grid.crs', { grid: { ...gridOf(10, 10), crs: 'PROJCS["x"]' } }],
    ['cog.grid.resY', { grid: { ...gridOf(10, 10), resY: -10 } }],
    ['cog.blockSize', { blockSize: 100 }],
    ['cog.nodata', { bands: [new Uint8Array(100)], dtype: 'uint8' as const, nodata: 300 }],
    ['cog.descriptions', { descriptions: ['a', 'b'] }],
  ])('rejects a bad %s and writes nothing', async (where, change) => {
    const path = tmpTif('bad');
    const err = await writeCog(path, { ...ok(), ...change }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).where).toBe(where);
    expect(readdirSync(dirname(path)).filter((f) => f.startsWith('bad-'))).toEqual([]);
  });
});
