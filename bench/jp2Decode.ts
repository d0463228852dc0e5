/**
 * JPEG 2000 decode benchmark: the 10980 x 10980 uint16 bench band (the decode bench's COG) encoded as the
 * Sentinel-2 archive stores its bands (lossless 5/3, 1024 px tiles, 6 resolutions, LRCP, one tile-part per tile,
 * no TLM, as ESA's Kakadu files are; GDAL JP2OpenJPEG, options in ARCHIVE_JP2_OPTIONS), read whole by eofn's reader and by
 * rasterio (`src.read(1)`, GDAL's JP2OpenJPEG driver over OpenJPEG 2.5 native), median of 5 runs each after
 * one warm-up, checksums compared.
 *
 * Two lines: both cores (eofn decodes tiles on a worker pool, one OpenJPEG wasm per core; GDAL with its default
 * GDAL_NUM_THREADS=ALL_CPUS), and one core (eofn inside a worker thread, where the reader decodes inline;
 * GDAL_NUM_THREADS=1).
 *
 * Run alone: `npx node bench/jp2Decode.ts` (needs GDAL and /usr/bin/python3 with rasterio).
 *
 * @example
 * const { twoCores, oneCore } = await benchJp2Decode();  // ratios eofn / rasterio
 */
import { execFileSync } from 'node:child_process';
import { existsSync, renameSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMainThread, parentPort, Worker } from 'node:worker_threads';
import { registerCoreStorages } from '../functions/core/io/registerCoreStorages.ts';
import { BENCH_DIR, ROOT } from './benchInputs.ts';
import { ensureDecodeInput, timeFullRead } from './decode.ts';

/** gdal_translate creation options for an archive-style Sentinel-2 band (test/fixtures/jp2/make-fixtures.sh uses 64 px tiles). */
export const ARCHIVE_JP2_OPTIONS = [
  '-co', 'CODEC=JP2', '-co', 'QUALITY=100', '-co', 'REVERSIBLE=YES', '-co', 'BLOCKXSIZE=1024', '-co', 'BLOCKYSIZE=1024',
  '-co', 'RESOLUTIONS=6',
];
const INPUT = join(BENCH_DIR, 'B04-10980-lrcp.jp2');
const RUNS = 5;

interface Timing { seconds: number; cpu: number; sum: number }

export async function benchJp2Decode(): Promise<{ twoCores: number; oneCore: number }> {
  makeInput();
  const ours = await timeOurs();
  const oursOneCore = await new Promise<Timing>((done, fail) => {
    const worker = new Worker(new URL(import.meta.url));
    worker.once('message', done);
    worker.once('error', fail);
  });
  const reference = (threads: string) => JSON.parse(execFileSync('/usr/bin/python3', [join(ROOT, 'bench/reference/decode.py'), INPUT, String(RUNS)], {
    encoding: 'utf8', env: { ...process.env, GDAL_NUM_THREADS: threads },
  })) as Timing;
  const ref = reference('ALL_CPUS');
  const refOneCore = reference('1');
  for (const t of [ours, oursOneCore, refOneCore]) {
    if (t.sum !== ref.sum) throw new Error(`checksums differ: eofn ${ours.sum} / ${oursOneCore.sum}, rasterio ${ref.sum} / ${refOneCore.sum}`);
  }
  const line = (what: string, a: Timing, b: Timing) => console.log(
    `${what}: eofn ${a.seconds.toFixed(2)} s (cpu ${a.cpu.toFixed(2)} s), rasterio ${b.seconds.toFixed(2)} s (cpu ${b.cpu.toFixed(2)} s), ratio ${(a.seconds / b.seconds).toFixed(2)}`);
  line('decode 10980x10980 uint16 JPEG 2000, both cores', ours, ref);
  line('decode 10980x10980 uint16 JPEG 2000, one core  ', oursOneCore, refOneCore);
  return { twoCores: ours.seconds / ref.seconds, oneCore: oursOneCore.seconds / refOneCore.seconds };
}

function makeInput(): void {
  if (existsSync(INPUT)) return;
  const cog = ensureDecodeInput();
  execFileSync('gdal_translate', ['-q', '-of', 'JP2OpenJPEG', ...ARCHIVE_JP2_OPTIONS, cog, `${INPUT}.tmp`]);
  renameSync(`${INPUT}.tmp`, INPUT);
  rmSync(`${INPUT}.tmp.aux.xml`, { force: true }); // GDAL's PAM sidecar (nodata), not part of the file
}

function timeOurs(): Promise<Timing> {
  registerCoreStorages();
  return timeFullRead(INPUT, RUNS);
}

if (!isMainThread) {
  parentPort!.postMessage(await timeOurs());
} else if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await benchJp2Decode();
}
