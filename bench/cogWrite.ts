/**
 * Benchmark: write a 10980x10980 float32 NDVI-like COG (one Sentinel-2 tile at 10 m, 482 MB of pixels)
 * with `writeCog`, and the same pixels with GDAL's COG driver when GDAL is installed.
 *
 * Each writer runs in its own process so that its peak RSS is its own: ours is a child Node process that
 * builds the raster, then writes it (peak = raster + overviews + tiles in flight); GDAL's is
 * `gdal_translate -of COG -co COMPRESS=DEFLATE -co PREDICTOR=YES` on an uncompressed float32 GeoTIFF made
 * with numpy from the very same pixels, measured by `/usr/bin/time -v`.
 *
 * Run alone: `npx node bench/cogWrite.ts [size]` (size defaults to 10980).
 *
 * @example
 * const rows = await benchCogWrite({ size: 2048 });
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeCog } from '../functions/core/raster/cog/writeCog.ts';

export interface CogWriteResult {
  writer: string;
  seconds: number;
  peakRssMB: number;
  fileMB: number;
}

const SELF = fileURLToPath(import.meta.url);

/** NDVI-like field: smooth structure (fields, gradients) plus noise, with a few NaN gaps (clouds). */
function syntheticNdvi(size: number): Float32Array {
  const out = new Float32Array(size * size);
  let s = 12345;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      const noise = (s / 4294967296 - 0.5) * 0.08;
      const field = 0.45 + 0.25 * Math.sin(x / 90) * Math.cos(y / 70) + 0.1 * Math.sin((x - y) / 400);
      out[y * size + x] = field + noise;
    }
  }
  for (let y = 1000; y < 1400 && y < size; y++) out.fill(NaN, y * size + 2000, y * size + Math.min(size, 2600));
  return out;
}

const grid = (size: number) => ({ crs: 'EPSG:32633', width: size, height: size, originX: 600000, originY: 5100000, resX: 10, resY: 10 });

/** Child side: build, write, print one JSON line. */
async function runChild(size: number, out: string, rawOut: string | undefined): Promise<void> {
  const ndvi = syntheticNdvi(size);
  if (rawOut) writeFileSync(rawOut, ndvi);
  const t0 = performance.now();
  const { bytes } = await writeCog(out, { grid: grid(size), bands: [ndvi], dtype: 'float32', nodata: NaN, descriptions: ['ndvi'] });
  const seconds = (performance.now() - t0) / 1000;
  const peakRssMB = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(`${JSON.stringify({ seconds, peakRssMB, fileMB: bytes / 2 ** 20 })}\n`);
}

/**
 * Times writeCog and (when /usr/bin/gdal_translate exists) GDAL on the same synthetic raster.
 *
 * @example
 * console.table(await benchCogWrite());
 */
export async function benchCogWrite(opts: { size?: number } = {}): Promise<CogWriteResult[]> {
  const size = opts.size ?? 10980;
  const dir = mkdtempSync(join(tmpdir(), 'eofn-bench-cog-'));
  const withGdal = existsSync('/usr/bin/gdal_translate') && existsSync('/usr/bin/python3') && existsSync('/usr/bin/time');
  try {
    const ours = join(dir, 'ours.tif');
    const raw = join(dir, 'ndvi.f32');
    const line = execFileSync(process.execPath, [SELF, '--child', String(size), ours, withGdal ? raw : ''], {
      encoding: 'utf8', maxBuffer: 1 << 20, stdio: ['ignore', 'pipe', 'inherit'],
    });
    const child = JSON.parse(line.trim().split('\n').pop() as string) as Omit<CogWriteResult, 'writer'>;
    const results: CogWriteResult[] = [{ writer: 'writeCog (zlib 6, 16 tiles in flight)', ...child }];
    if (withGdal) {
      const plain = join(dir, 'plain.tif');
      execFileSync('/usr/bin/python3', ['-c', [
        'import sys, numpy as np',
        'from osgeo import gdal, osr',
        'n = int(sys.argv[2]); a = np.fromfile(sys.argv[1], dtype="<f4").reshape(n, n)',
        'ds = gdal.GetDriverByName("GTiff").Create(sys.argv[3], n, n, 1, gdal.GDT_Float32)',
        'ds.SetGeoTransform([600000, 10, 0, 5100000, 0, -10]); s = osr.SpatialReference(); s.ImportFromEPSG(32633)',
        'ds.SetProjection(s.ExportToWkt()); b = ds.GetRasterBand(1); b.SetNoDataValue(float("nan")); b.WriteArray(a)',
        'b = None; ds = None',
      ].join('\n'), raw, String(size), plain]);
      rmSync(raw);
      for (const threads of ['1', 'ALL_CPUS']) {
        const target = join(dir, `gdal-${threads}.tif`);
        const t0 = performance.now();
        const run = spawnSync('/usr/bin/time', ['-v', '/usr/bin/gdal_translate', '-q', '-of', 'COG',
          '-co', 'COMPRESS=DEFLATE', '-co', 'PREDICTOR=YES', '-co', `NUM_THREADS=${threads}`, plain, target],
        { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
        if (run.status !== 0) throw new Error(`gdal_translate failed: ${run.stderr}`);
        const report = run.stderr;
        const seconds = (performance.now() - t0) / 1000;
        const kb = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(report)?.[1] ?? NaN);
        results.push({ writer: `gdal_translate COG DEFLATE PREDICTOR=YES NUM_THREADS=${threads}`, seconds, peakRssMB: kb / 1024, fileMB: statSync(target).size / 2 ** 20 });
      }
    }
    return results;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Prints the rows, and eofn's time as a ratio of GDAL's multi-threaded COG write. */
export function printCogWrite(rows: CogWriteResult[], size: number): void {
  console.log(`COG write, ${size}x${size} float32:`);
  console.table(rows.map((r) => ({ ...r, seconds: +r.seconds.toFixed(2), peakRssMB: Math.round(r.peakRssMB), fileMB: +r.fileMB.toFixed(1) })));
  const gdal = rows.find((r) => r.writer.includes('ALL_CPUS'));
  if (gdal) console.log(`cog-write ratio (eofn / gdal_translate NUM_THREADS=ALL_CPUS): ${(rows[0].seconds / gdal.seconds).toFixed(2)}`);
}

if (process.argv[1] === SELF) {
  if (process.argv[2] === '--child') {
    await runChild(Number(process.argv[3]), process.argv[4], process.argv[5] || undefined);
  } else {
    const size = Number(process.argv[2] ?? 10980);
    printCogWrite(await benchCogWrite({ size }), size);
  }
}
