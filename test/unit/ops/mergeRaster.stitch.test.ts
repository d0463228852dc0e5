/**
 * The stitched COG equals the one-process write: partitions compress their own tiles (levels 0..k of
 * windows aligned to 512·2^k), the merge makes the coarser levels and puts the bytes in order. Compared
 * byte for byte with `writeCog` over the whole bands, and the quicklook with the one rendered from the
 * whole product, for float and integer products, several memory budgets and level counts.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mergeRaster } from '../../../functions/core/ops/mergeRaster.ts';
import { encodeRasterPart } from '../../../functions/core/ops/rasterPart.ts';
import type { RasterProduct } from '../../../functions/core/ops/rasterProduct.ts';
import type { ProductSink } from '../../../functions/core/ops/types.ts';
import { planCogWindows } from '../../../functions/core/plan/cogLevels.ts';
import { overviewSizes, halveImage } from '../../../functions/core/raster/cog/overviews.ts';
import { writeCog } from '../../../functions/core/raster/cog/writeCog.ts';
import { renderPreview } from '../../../functions/core/raster/preview/preview.ts';
import type { TypedArray, Window } from '../../../functions/core/raster/types.ts';
import { memoryPartStore } from '../../helpers/memoryPartStore.ts';
import { gridOf, ndviLike, seeded } from '../cog/cogTestKit.ts';

const MB = 2 ** 20;

function sinkIn(dir: string): ProductSink & { streamed: string[] } {
  const streamed: string[] = [];
  return {
    outputHref: dir, scratchDir: dir, streamed,
    async write(name, bytes) { writeFileSync(join(dir, name), bytes); return `./${name}`; },
    async writeFile() { throw new Error('a raster merge must not go through a scratch file'); },
    async writeStream(name, body) {
      const chunks: Uint8Array[] = [];
      for await (const c of body) chunks.push(c);
      writeFileSync(join(dir, name), Buffer.concat(chunks));
      streamed.push(name);
      return `./${name}`;
    },
  };
}

function cut(band: TypedArray, width: number, w: Window): TypedArray {
  const out = new (band.constructor as new (n: number) => TypedArray)(w.width * w.height);
  for (let r = 0; r < w.height; r++) out.set(band.subarray((w.y + r) * width + w.x, (w.y + r) * width + w.x + w.width), r * w.width);
  return out;
}

/** What mergeRaster wrote before partitions compressed their tiles: writeCog, quicklook from an overview or full resolution. */
async function oneProcess(product: RasterProduct, bands: TypedArray[], dir: string) {
  const path = join(dir, 'reference.tif');
  let fromOverview: Uint8Array | undefined;
  const opts = { ramp: product.previewRamp, nodata: product.nodata, range: product.previewRange, maxSize: 512,
    legend: product.previewBands.length === 1 ? product.descriptions[product.previewBands[0]] : undefined };
  await writeCog(path, {
    grid: product.grid, bands, dtype: product.dtype, nodata: product.nodata, descriptions: product.descriptions, metadata: product.metadata,
    onOverviews: (levels) => {
      if (product.dtype !== 'float32') return;
      let best;
      for (const l of levels) if (Math.max(l.width, l.height) >= 512) best = l;
      if (best) fromOverview = renderPreview(product.previewBands.map((b) => best.bands[b]), best.width, best.height, opts);
    },
  });
  const preview = fromOverview ?? renderPreview(product.previewBands.map((b) => bands[b]), product.grid.width, product.grid.height, opts);
  return { cog: readFileSync(path), preview };
}

async function stitched(product: RasterProduct, bands: TypedArray[], opts: { budgetMb: number; bytesPerPixel: number; mergeTargetBytes?: number; blockSize?: number }, dir: string) {
  const plan = planCogWindows(product.grid, {
    bytesPerPixel: opts.bytesPerPixel, budgetBytes: opts.budgetMb * MB, blockSize: opts.blockSize ?? 512,
    bands: bands.length, dtype: product.dtype, mergeTargetBytes: opts.mergeTargetBytes,
  });
  const parts = new Map<string, Uint8Array>();
  for (const p of plan.partitions) parts.set(p.id, await encodeRasterPart(product, p, bands.map((b) => cut(b, product.grid.width, p.window!))));
  const sink = sinkIn(dir);
  await mergeRaster(product, plan.partitions, memoryPartStore(parts), sink);
  expect(sink.streamed).toEqual(['result.tif']);
  return { plan, cog: readFileSync(join(dir, 'result.tif')), preview: readFileSync(join(dir, 'preview.png')) };
}

describe('stitched COG equals the one-process write', () => {
  // 2600 x 1100: three overviews (1300, 650, 325), partial edge tiles at every level.
  const grid = gridOf(2600, 1100);
  const float: RasterProduct = {
    grid, dtype: 'float32', nodata: NaN, descriptions: ['ndvi'], metadata: { EOFN_OP: 'test' }, previewBands: [0], previewRamp: 'ndvi',
  };
  const ndvi = ndviLike(grid.width, grid.height);
  for (let i = 0; i < ndvi.length; i += 977) ndvi[i] = NaN;

  const cases = [
    { budgetMb: 4096, mergeTargetBytes: undefined, levels: 0, note: 'one partition, the merge makes every overview' },
    { budgetMb: 250, mergeTargetBytes: 4 * MB, levels: 1, note: 'windows on 1024 px' },
    { budgetMb: 300, mergeTargetBytes: 1 * MB, levels: 2, note: 'windows on 2048 px, the quicklook level' },
    { budgetMb: 175, mergeTargetBytes: 1 * MB, levels: 0, note: 'too little memory for an aligned window: levels go down' },
  ];
  for (const c of cases) {
    it(`float32 at --memory ${c.budgetMb}, ${c.levels} level(s) in the parts (${c.note})`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'eofn-stitch-'));
      const ref = await oneProcess(float, [ndvi], dir);
      const run = await stitched(float, [ndvi], { budgetMb: c.budgetMb, bytesPerPixel: 40, mergeTargetBytes: c.mergeTargetBytes }, dir);
      expect(run.plan.cogLevels).toBe(c.levels);
      if (c.budgetMb < 4096) expect(run.plan.partitions.length).toBeGreaterThan(1);
      expect(Buffer.compare(run.cog, ref.cog)).toBe(0);
      expect(Buffer.compare(run.preview, ref.preview)).toBe(0);
    });
  }

  it('uint16 with three bands (RGB quicklook from the parts\' sums) and nodata', async () => {
    const rnd = seeded(7);
    const rgb = [0, 1, 2].map(() => Uint16Array.from({ length: grid.width * grid.height }, () => (rnd() < 0.05 ? 0 : 1 + Math.floor(rnd() * 4000))));
    const product: RasterProduct = { grid, dtype: 'uint16', nodata: 0, descriptions: ['red', 'green', 'blue'], previewBands: [0, 1, 2], previewRamp: 'gray' };
    const ref = await oneProcess(product, rgb, mkdtempSync(join(tmpdir(), 'eofn-stitch-')));
    for (const target of [undefined, 2 * MB, 512 * 1024]) {
      const dir = mkdtempSync(join(tmpdir(), 'eofn-stitch-'));
      const run = await stitched(product, rgb, { budgetMb: 600, bytesPerPixel: 60, mergeTargetBytes: target }, dir);
      expect(Buffer.compare(run.cog, ref.cog)).toBe(0);
      expect(Buffer.compare(run.preview, ref.preview)).toBe(0);
    }
  });

  it('windows runs of blocks within a row (a strip does not fit), read blocks of 1024', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eofn-stitch-'));
    const ref = await oneProcess(float, [ndvi], dir);
    const run = await stitched(float, [ndvi], { budgetMb: 260, bytesPerPixel: 60, mergeTargetBytes: 4 * MB, blockSize: 1024 }, dir);
    expect(run.plan.cogLevels).toBe(1);
    expect(run.plan.partitions.some((p) => p.window!.width < grid.width)).toBe(true);
    expect(Buffer.compare(run.cog, ref.cog)).toBe(0);
  });

  it('windows on 64-px read blocks when no COG tile fits: parts send pixels, the merge compresses every level', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eofn-stitch-'));
    const ref = await oneProcess(float, [ndvi], dir);
    const run = await stitched(float, [ndvi], { budgetMb: 170, bytesPerPixel: 40, blockSize: 64 }, dir);
    expect(run.plan.cogLevels).toBe(-1);
    expect(run.plan.partitions.some((p) => p.window!.x % 512 !== 0 || p.window!.y % 512 !== 0)).toBe(true);
    expect(Buffer.compare(run.cog, ref.cog)).toBe(0);
    expect(Buffer.compare(run.preview, ref.preview)).toBe(0);
  });

  it('refuses parts of another plan or of another window, naming the partition', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eofn-stitch-'));
    const plan = planCogWindows(grid, { bytesPerPixel: 40, budgetBytes: 250 * MB, blockSize: 512, bands: 1, dtype: 'float32', mergeTargetBytes: 4 * MB });
    const parts = new Map<string, Uint8Array>();
    for (const p of plan.partitions) parts.set(p.id, await encodeRasterPart(float, p, [cut(ndvi, grid.width, p.window!)]));
    const [first, second] = plan.partitions;
    parts.set(second.id, await encodeRasterPart(float, { ...second, data: { cogLevels: 0 } }, [cut(ndvi, grid.width, second.window!)]));
    await expect(mergeRaster(float, plan.partitions, memoryPartStore(parts), sinkIn(dir))).rejects.toThrow(new RegExp(`${second.id}.*compresses 0 overview level`));
    parts.set(second.id, parts.get(first.id)!);
    await expect(mergeRaster(float, plan.partitions, memoryPartStore(parts), sinkIn(dir))).rejects.toThrow(/partition result is for window/);
  });
});

describe('window pyramid', () => {
  it('an aligned window\'s levels are the same window of the whole pyramid', async () => {
    const { windowPyramid } = await import('../../../functions/core/raster/cog/windowPyramid.ts');
    const grid = gridOf(4100, 2300);
    const band = ndviLike(grid.width, grid.height, 3);
    const window = { x: 2048, y: 2048, width: 2052, height: 252 };
    const levels = windowPyramid([cut(band, grid.width, window)], window, grid, 2, 512, 'average', NaN);
    let whole: Float32Array = band, w = grid.width, h = grid.height;
    for (const [k, size] of [[1, overviewSizes(w, h, 512)[0]], [2, overviewSizes(w, h, 512)[1]]] as const) {
      whole = halveImage(whole, w, h, 'average', NaN);
      w = size.width; h = size.height;
      expect(levels[k].bands[0]).toEqual(cut(whole, w, levels[k].window));
    }
    expect(() => windowPyramid([band], { x: 1024, y: 0, width: 1024, height: 2300 }, grid, 2, 512, 'average')).toThrow(/not aligned to 2048/);
  });
});
