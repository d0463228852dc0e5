/**
 * Where one NDVI partition's CPU goes: the stages of tile-reduce's `runPartition` timed one by one on one
 * window of the full-size bench tile (read red, nir, SCL; mask; expression; reducer; overview pyramid;
 * tile cut + predictor; DEFLATE), CPU and wall seconds each. DEFLATE is timed synchronously on this
 * thread so that its CPU shows, at the zlib levels in $LEVELS (default 6; also $STRATEGY, $MEMLEVEL).
 *
 * Run alone: `npx node bench/ndviStages.ts [y0] [rows]` (default the window 0,2048 10980x2048).
 *
 * @example
 * LEVELS=1,2,6 npx node bench/ndviStages.ts 2048 2048
 */
import { deflateSync } from 'node:zlib';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileExpression } from '../functions/core/expr/compileExpression.ts';
import { parseExpression } from '../functions/core/expr/parseExpression.ts';
import { registerCoreStorages } from '../functions/core/io/registerCoreStorages.ts';
import { createReducer } from '../functions/core/ops/reducers.ts';
import { applyMask, readItemAsset, type SetupItem } from '../functions/core/ops/readItemAsset.ts';
import { openRaster } from '../functions/core/raster/read/openRaster.ts';
import { cogLayout } from '../functions/core/raster/cog/cogLayout.ts';
import { encodeTile } from '../functions/core/raster/cog/tiffWriterTiles.ts';
import { windowPyramid } from '../functions/core/raster/cog/windowPyramid.ts';
import { ensureSentinelTile } from './benchInputs.ts';

export interface Stage { name: string; cpu: number; wall: number }

export async function benchNdviStages(y0 = 2048, rows = 2048): Promise<Stage[]> {
  registerCoreStorages();
  const { red, nir, scl } = ensureSentinelTile();
  const grid = (await openRaster(red)).info.grid;
  const window = { x: 0, y: y0, width: grid.width, height: Math.min(rows, grid.height - y0) };
  const item: SetupItem = {
    id: 'bench', index: 0, datetime: null,
    assets: Object.fromEntries([['red', red], ['nir', nir], ['scl', scl]].map(([k, href]) => [k, { href, key: k, matchedBy: 'key', scale: 1, offset: 0 }])) as SetupItem['assets'],
  };
  const stages: Stage[] = [];
  const time = async <T>(name: string, f: () => T | Promise<T>): Promise<T> => {
    const c = process.cpuUsage();
    const w = performance.now();
    const r = await f();
    const used = process.cpuUsage(c);
    stages.push({ name, cpu: (used.user + used.system) / 1e6, wall: (performance.now() - w) / 1000 });
    return r;
  };
  const r = await time('read red', () => readItemAsset(item, 'red', grid, window));
  const n = await time('read nir', () => readItemAsset(item, 'nir', grid, window));
  const m = await time('read scl (nearest 20 m -> 10 m)', () => readItemAsset(item, 'scl', grid, window, true));
  await time('mask', () => applyMask([n, r], m, new Set([0, 1, 3, 8, 9, 10])));
  const evaluate = compileExpression(parseExpression('(nir - red) / (nir + red)'), ['nir', 'red']);
  const layer = new Float32Array(window.width * window.height);
  await time('expression', () => evaluate([n, r], layer));
  const reducer = createReducer('first', layer.length, 1);
  await time('reducer first', () => reducer.add(layer));
  const layout = cogLayout({ grid, bands: 1, dtype: 'float32', nodata: NaN });
  const pyramid = await time('overviews (levels 1-2)', () => windowPyramid([reducer.result()], window, grid, 2, layout.blockSize, layout.resampling, NaN));
  const raw: Uint8Array[] = await time('tile cut + float predictor', () => pyramid.flatMap((level) => {
    const across = Math.ceil(level.width / layout.blockSize);
    const down = Math.ceil(level.height / layout.blockSize);
    return Array.from({ length: across * down }, (_, t) => encodeTile(level, t % across, Math.floor(t / across), layout.blockSize, layout.fill, layout.predictor));
  }));
  const levels = (process.env.LEVELS ?? '6').split(',').map(Number);
  for (const level of levels) {
    let bytes = 0;
    await time(`zlib deflate level ${level}`, () => { for (const t of raw) bytes += deflateSync(t, { level, strategy: Number(process.env.STRATEGY ?? 0), memLevel: Number(process.env.MEMLEVEL ?? 8) }).length; });
    stages[stages.length - 1].name += ` (${(bytes / 2 ** 20).toFixed(1)} MB)`;
  }
  return stages;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const stages = await benchNdviStages(Number(process.argv[2] ?? 2048), Number(process.argv[3] ?? 2048));
  for (const s of stages) console.log(`${s.name.padEnd(40)} cpu ${s.cpu.toFixed(2)} s  wall ${s.wall.toFixed(2)} s`);
  console.log(`total cpu ${stages.reduce((a, s) => a + s.cpu, 0).toFixed(2)} s`);
}
