/**
 * Median composite of 12 dates of a full 10980 x 10980 band (B04) against numpy.nanmedian on the same
 * machine: end to end (`eofn run`, read + median + COG, against rasterio read + nanmedian + GeoTIFF write,
 * both by strips) and the per-pixel median alone (eofn's reducer against nanmedian on the same strips).
 * Also the peak RSS of `eofn run --workers 1 --memory 1769`, which must stay below 1769 MB.
 *
 * Inputs (made once into `.bench/composite/`, gitignored): the 5 real 33TWM dates of B04 upsampled to
 * 10980 px with gdal_translate (bilinear, DEFLATE, 1024 px blocks); the 12 dates cycle through them.
 *
 * Run alone: `npx node bench/composite.ts`.
 *
 * @example
 * const r = await benchComposite(); // { eofn, reference, eofnMedian, referenceMedian, peakRssMb }
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { registerCoreStorages } from '../functions/core/io/registerCoreStorages.ts';
import { createReducer, stackPercentile } from '../functions/core/ops/reducers.ts';
import { openRaster } from '../functions/core/raster/read/openRaster.ts';
import { BENCH_DIR, ROOT, SHARED_DATA } from './benchInputs.ts';

const DATES = ['S2B_33TWM_20230810_0_L2A', 'S2B_33TWM_20230813_0_L2A', 'S2A_33TWM_20230815_0_L2A', 'S2A_33TWM_20230818_0_L2A', 'S2B_33TWM_20230820_0_L2A'];
const ITEMS = 12;
const STRIP_ROWS = 1024;
const MEMORY_MB = 1769;

export interface CompositeBench { eofn: number; eofnOneWorker: number; eofnScaledOneWorker: number; reference: number; eofnMedian: number; eofnFloatMedian: number; referenceMedian: number; peakRssMb: number; referencePeakRssMb: number }

export async function benchComposite(): Promise<CompositeBench> {
  const bands = ensureInputs();
  const jobPath = writeJob(bands);
  const two = runEofn(jobPath, ['--workers', '2']);
  const one = runEofn(jobPath, ['--workers', '1', '--memory', String(MEMORY_MB)]);
  // The same job on items with a STAC scale/offset (as Earth Search C1 and CDSE give): reflectance out.
  const scaled = runEofn(writeJob(bands, { 'raster:bands': [{ nodata: 0, scale: 0.0001, offset: -0.1 }] }), ['--workers', '1', '--memory', String(MEMORY_MB)]);
  const inputs = Array.from({ length: ITEMS }, (_, k) => bands[k % bands.length]);
  const ours = await timeMedianKernel(inputs);
  const ref = JSON.parse(execFileSync('/usr/bin/python3', [join(ROOT, 'bench/reference/composite.py'), join(BENCH_DIR, 'composite-ref.tif'), String(STRIP_ROWS), ...inputs], { encoding: 'utf8', maxBuffer: 1 << 24 }));
  if (Math.abs(ours.checksum - ref.checksum) > 1e-6 * Math.abs(ref.checksum)) throw new Error(`checksums differ: eofn ${ours.checksum}, numpy ${ref.checksum}`);
  console.log(`composite median, ${ITEMS} dates x 10980x10980 (B04): eofn run ${two.seconds.toFixed(1)} s (2 workers), ${one.seconds.toFixed(1)} s (1 worker, --memory ${MEMORY_MB}); rasterio+nanmedian ${ref.seconds.toFixed(1)} s; speed-up ${(ref.seconds / two.seconds).toFixed(2)}x`);
  console.log(`  eofn run phases: 2 workers partitions ${two.partitions.toFixed(1)} s + merge/COG write ${two.merge.toFixed(1)} s; 1 worker partitions ${one.partitions.toFixed(1)} s + merge ${one.merge.toFixed(1)} s`);
  console.log(`  median kernel alone (1 thread, ${STRIP_ROWS}-row strips): eofn ${ours.seconds.toFixed(1)} s (uint16 stack, as composite runs it; float32 reducer ${ours.floatSeconds.toFixed(1)} s), numpy.nanmedian ${ref.nanmedian_seconds.toFixed(1)} s; speed-up ${(ref.nanmedian_seconds / ours.seconds).toFixed(2)}x (float32 reducer ${(ref.nanmedian_seconds / ours.floatSeconds).toFixed(2)}x)`);
  console.log(`  with STAC scale/offset (reflectance out), 1 worker: ${scaled.seconds.toFixed(1)} s against ${one.seconds.toFixed(1)} s on digital numbers (ratio ${(scaled.seconds / one.seconds).toFixed(2)}): partitions ${scaled.partitions.toFixed(1)} s against ${one.partitions.toFixed(1)} s, merge ${scaled.merge.toFixed(1)} s against ${one.merge.toFixed(1)} s; peak RSS ${scaled.peakRssMb} MB`);
  console.log(`  peak RSS: eofn run --workers 1 --memory ${MEMORY_MB}: ${one.peakRssMb} MB; numpy reference ${ref.peak_rss_mb} MB`);
  return { eofn: two.seconds, eofnOneWorker: one.seconds, eofnScaledOneWorker: scaled.seconds, reference: ref.seconds, eofnMedian: ours.seconds, eofnFloatMedian: ours.floatSeconds, referenceMedian: ref.nanmedian_seconds, peakRssMb: one.peakRssMb, referencePeakRssMb: ref.peak_rss_mb };
}

function ensureInputs(): string[] {
  return DATES.map((date) => {
    const dst = join(BENCH_DIR, 'composite', date, 'B04.tif');
    if (existsSync(dst)) return dst;
    const shared = join(SHARED_DATA, 's2-l2a-33TWM', date, 'B04.tif');
    const src = existsSync(shared) ? shared : join(ROOT, 'sample-data/s2-l2a-33TWM', date, 'B04.tif');
    mkdirSync(join(BENCH_DIR, 'composite', date), { recursive: true });
    execFileSync('gdal_translate', ['-q', '-oo', 'OVERVIEW_LEVEL=NONE', '-r', 'bilinear', '-outsize', '10980', '10980', '-of', 'COG',
      '-co', 'COMPRESS=DEFLATE', '-co', 'BLOCKSIZE=1024', src, `${dst}.tmp.tif`]);
    execFileSync('mv', [`${dst}.tmp.tif`, dst]);
    return dst;
  });
}

function writeJob(bands: string[], radiometry: Record<string, unknown> = {}): string {
  const items = Array.from({ length: ITEMS }, (_, k) => ({
    type: 'Feature', stac_version: '1.1.0', id: `date-${String(k).padStart(2, '0')}`, geometry: null,
    properties: { datetime: `2023-08-${String(k + 1).padStart(2, '0')}T10:00:00Z` },
    assets: { red: { href: bands[k % bands.length], ...radiometry } },
  }));
  const path = join(BENCH_DIR, Object.keys(radiometry).length ? 'composite-scaled-job.json' : 'composite-job.json');
  writeFileSync(path, JSON.stringify({ op: 'composite', items, params: { assets: ['red'], method: 'median' }, output: 'composite-out' }));
  return path;
}

function runEofn(jobPath: string, args: string[]): { seconds: number; partitions: number; merge: number; peakRssMb: number } {
  rmSync(join(BENCH_DIR, 'composite-out'), { recursive: true, force: true });
  const start = performance.now();
  const run = spawnSync(join(ROOT, 'node_modules/.bin/node'), ['--import', join(ROOT, 'bench/reportPeakRss.ts'), join(ROOT, 'bin/eofn.js'), 'run', jobPath, '--quiet', ...args], { encoding: 'utf8' });
  const seconds = (performance.now() - start) / 1000;
  if (run.status !== 0) throw new Error(`eofn run failed: ${run.stderr}`);
  const phase = (name: string) => Number(new RegExp(`${name} ([\\d.]+)s`).exec(run.stdout)?.[1] ?? NaN);
  return { seconds, partitions: phase('partitions'), merge: phase('merge'), peakRssMb: Number(/EOFN_PEAK_RSS_MB=(\d+)/.exec(run.stderr)?.[1] ?? 0) };
}

/**
 * eofn's median over the same strips numpy gets, timing only the reduction: the kernel composite runs
 * (uint16 stack, nodata 0 as missing, counting valid dates) and, for comparison, the float32 reducer that
 * tile-reduce uses (`createReducer('median')`, NaN as missing). Both must give numpy's checksum.
 */
async function timeMedianKernel(inputs: string[]): Promise<{ seconds: number; floatSeconds: number; checksum: number }> {
  registerCoreStorages();
  const rasters = await Promise.all(inputs.map((p) => openRaster(p)));
  const { width, height } = rasters[0].info.grid;
  let seconds = 0, floatSeconds = 0, checksum = 0, floatChecksum = 0;
  for (let y = 0; y < height; y += STRIP_ROWS) {
    const window = { x: 0, y, width, height: Math.min(STRIP_ROWS, height - y) };
    const pixels = window.width * window.height;
    const raws = await Promise.all(rasters.map((r) => r.readWindow(window)));
    const stack = new Uint16Array(pixels * raws.length);
    raws.forEach((raw, k) => stack.set(raw as Uint16Array, k * pixels));
    const layers = raws.map((raw) => {
      const f = new Float32Array(raw.length);
      for (let i = 0; i < raw.length; i++) f[i] = raw[i] === 0 ? NaN : raw[i];
      return f;
    });
    let start = performance.now();
    const result = new Float32Array(pixels), counts = new Float32Array(pixels);
    stackPercentile(stack, pixels, raws.length, 50, result, 0, counts);
    seconds += (performance.now() - start) / 1000;
    start = performance.now();
    const reducer = createReducer('median', pixels, layers.length);
    for (const layer of layers) reducer.add(layer);
    const floatResult = reducer.result();
    floatSeconds += (performance.now() - start) / 1000;
    for (const v of result) if (v === v) checksum += v;
    for (const v of floatResult) if (v === v) floatChecksum += v;
  }
  if (checksum !== floatChecksum) throw new Error(`uint16 and float32 kernels differ: ${checksum} vs ${floatChecksum}`);
  return { seconds, floatSeconds, checksum };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  mkdirSync(BENCH_DIR, { recursive: true });
  await benchComposite();
}
