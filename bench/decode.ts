/**
 * Full-band decode benchmark: a 10980 x 10980 uint16 DEFLATE COG with 1024 px blocks, made like the public
 * sentinel-cogs bucket's (no predictor, as `gdalinfo` shows on /work/shared/data/s2-l2a-29RKH-cog/B04.tif),
 * read whole by eofn's reader and by rasterio (`src.read(1)`), median of 5 runs each after one warm-up.
 *
 * A second line gives CPU seconds (all threads): eofn inflates blocks on libuv's pool threads with Node's zlib,
 * GDAL inflates on one thread with libdeflate, so eofn wins on wall time only when cores are free.
 *
 * Run alone: `npx node bench/decode.ts` (needs GDAL and /usr/bin/python3 with rasterio).
 *
 * @example
 * const { eofn, reference } = await benchDecode();  // seconds
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { registerCoreStorages } from '../functions/core/io/registerCoreStorages.ts';
import { openRaster } from '../functions/core/raster/read/openRaster.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SOURCE = '/work/shared/data/s2-l2a-33TWM/S2B_33TWM_20230810_0_L2A/B04.tif';
const INPUT = join(ROOT, '.bench', 'B04-10980.tif');
const RUNS = 5;

export async function benchDecode(): Promise<{ eofn: number; reference: number }> {
  ensureDecodeInput();
  registerCoreStorages();
  const ours = await timeFullRead(INPUT, RUNS);
  const ref = JSON.parse(
    execFileSync('/usr/bin/python3', [join(ROOT, 'bench/reference/decode.py'), INPUT, String(RUNS)], { encoding: 'utf8' }),
  ) as { seconds: number; cpu: number; sum: number };
  if (ref.sum !== ours.sum) throw new Error(`checksums differ: eofn ${ours.sum}, rasterio ${ref.sum}`);
  const line = `decode 10980x10980 uint16 DEFLATE: eofn ${ours.seconds.toFixed(2)} s, rasterio ${ref.seconds.toFixed(2)} s, ratio ${(ours.seconds / ref.seconds).toFixed(2)}`;
  console.log(line);
  console.log(`decode cpu time (user+system): eofn ${ours.cpu.toFixed(2)} s, rasterio ${ref.cpu.toFixed(2)} s`);
  return { eofn: ours.seconds, reference: ref.seconds };
}

/** The bench COG (made once into .bench/); its path. bench/jp2Decode.ts encodes it as JPEG 2000. */
export function ensureDecodeInput(): string {
  if (existsSync(INPUT)) return INPUT;
  mkdirSync(dirname(INPUT), { recursive: true });
  execFileSync('gdal_translate', [
    '-q', '-r', 'bilinear', '-outsize', '10980', '10980', '-of', 'COG',
    '-co', 'COMPRESS=DEFLATE', '-co', 'BLOCKSIZE=1024', SOURCE, INPUT,
  ]);
  return INPUT;
}

/**
 * Reads a raster whole `runs` times after one warm-up (which gives the checksum): median wall and CPU seconds.
 * CPU is process.cpuUsage, which counts every thread of the process (zlib's pool, decode workers).
 */
export async function timeFullRead(input: string, runs: number): Promise<{ seconds: number; cpu: number; sum: number }> {
  let sum = 0;
  const times: number[] = [];
  const cpus: number[] = [];
  for (let run = 0; run <= runs; run++) {
    const cpuStart = process.cpuUsage();
    const start = performance.now();
    const raster = await openRaster(input);
    const { width, height } = raster.info.grid;
    const band = await raster.readWindow({ x: 0, y: 0, width, height });
    await raster.close();
    const seconds = (performance.now() - start) / 1000;
    const cpu = process.cpuUsage(cpuStart);
    if (run === 0) {
      sum = checksum(band); // warm-up run: checksum, not timed
    } else {
      times.push(seconds);
      cpus.push((cpu.user + cpu.system) / 1e6);
    }
  }
  return { seconds: median(times), cpu: median(cpus), sum };
}

function checksum(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  return sum;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await benchDecode();
}
