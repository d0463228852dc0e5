/**
 * A JPEG 2000 file without TLM (ESA's Kakadu-encoded Sentinel-2 bands) costs one small range read per
 * tile-part to open. The index that opening found goes with the prepared job (`checkItemAssets` puts it in the
 * asset's `fallback`), and an opening given it makes no such read: counted here through a storage that counts
 * range reads, on the committed real file `real/scl-60m-31SCA.jp2` (100 tile-parts: 92 reads, then 1) and a
 * GDAL-written variant without TLM (12 tile-parts: 6 reads, then 1).
 * The pixels are the same either way; an index for another file size is ignored; a forged one is refused.
 */
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { FileStorage } from '../../../../functions/core/io/fileStorage.ts';
import { registerCoreStorages } from '../../../../functions/core/io/registerCoreStorages.ts';
import { registerSchemeOverFiles } from '../../../helpers/schemeOverFiles.ts';
import { openRaster } from '../../../../functions/core/raster/read/openRaster.ts';

const DIR = fileURLToPath(new URL('../../../fixtures/jp2/', import.meta.url));
const files = new FileStorage();
const reads: string[] = [];

beforeAll(() => {
  registerCoreStorages();
  registerSchemeOverFiles('counting', files, (read) => (href, offset, length) => { reads.push(`${offset}+${length}`); return read(href, offset, length); });
});

/** Range reads of one opening (no pixel read). */
async function opening(href: string, fallback = {}) {
  reads.length = 0;
  const raster = await openRaster(href, fallback);
  return { raster, reads: reads.length };
}

const digest = (a: ArrayBufferView) => createHash('sha256').update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength)).digest('hex');

describe('JPEG 2000 tile-part index handed on', () => {
  // Reads of an opening without the index: one per tile-part header past the first 64 KiB the header read keeps.
  it.each([['real/scl-60m-31SCA.jp2', 92], ['variants/b04-sot-gml.jp2', 6]] as const)('%s: opens in one read with the index, %i without', async (file, without) => {
    // Prepare
    const href = `counting:/${DIR}${file}`;
    // Act
    const first = await opening(href);
    const again = await opening(href, { jp2TileParts: first.raster.jp2TileParts });
    // Assess
    const index = first.raster.jp2TileParts!;
    const tileParts = index.parts.reduce((n, p) => n + p.length / 2, 0);
    expect(tileParts).toBeGreaterThan(1);
    expect(first.reads).toBe(without);
    expect(again.reads).toBe(1);
    expect(first.reads - again.reads).toBeLessThanOrEqual(tileParts);
    expect(again.raster.jp2TileParts).toEqual(index);
    expect(JSON.parse(JSON.stringify(index))).toEqual(index);
    const { width, height } = first.raster.info.grid;
    const whole = { x: 0, y: 0, width, height };
    expect(digest(await again.raster.readWindow(whole))).toBe(digest(await first.raster.readWindow(whole)));
  });

  it('ignores an index for another size of file, and refuses one that points outside the code-stream', async () => {
    // Prepare
    const href = `counting:/${DIR}real/scl-60m-31SCA.jp2`;
    const { raster, reads: hops } = await opening(href);
    const index = raster.jp2TileParts!;
    // Act
    const stale = await opening(href, { jp2TileParts: { ...index, size: index.size + 1 } });
    const forged = { ...index, parts: index.parts.map((p, t) => (t === 0 ? [p[0], index.size * 2] : p)) };
    // Assess
    expect(stale.reads).toBe(hops);
    await expect(openRaster(href, { jp2TileParts: forged })).rejects.toThrow(/runs past the end of the code-stream/);
  });
});
