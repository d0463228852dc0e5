/**
 * NDVI end to end over one date of a full 10980 x 10980 tile, written as a COG: `eofn run` (a separate
 * process, as a user runs it) against rasterio + numpy + GDAL's COG driver doing the same work. Also the
 * peak RSS of `eofn run --workers 1 --memory 1024`, which must stay under 1024 MB, and GDAL's COG
 * validation of what eofn wrote.
 *
 * Run alone: `npx node bench/ndvi.ts`.
 *
 * @example
 * const r = await benchNdvi(); // { eofn, eofnOneWorker, reference, peakRssMb }
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BENCH_DIR, ROOT, ensureSentinelTile } from './benchInputs.ts';
import { timeEofnRuns } from './timeEofnRuns.ts';

const RUNS = 3;

export interface NdviBench { eofn: number; eofnOneWorker: number; reference: number; peakRssMb: number; cogValid: boolean }

export async function benchNdvi(): Promise<NdviBench> {
  const { red, nir, scl, item } = ensureSentinelTile();
  const jobPath = join(BENCH_DIR, 'ndvi-job.json');
  writeFileSync(jobPath, JSON.stringify({
    op: 'tile-reduce', items: [item],
    params: { expression: '(nir - red) / (nir + red)', reducer: 'first', mask: { asset: 'scl', exclude: [0, 1, 3, 8, 9, 10] } },
    output: 'ndvi-out',
  }));
  const out = join(BENCH_DIR, 'ndvi-out');
  const two = timeEofnRuns(jobPath, out, ['--workers', '2'], RUNS);
  const one = timeEofnRuns(jobPath, out, ['--workers', '1', '--memory', '1024'], RUNS);
  const cogValid = validates(join(out, 'result.tif'));
  const ref = JSON.parse(execFileSync('/usr/bin/python3', [join(ROOT, 'bench/reference/ndvi.py'), red, nir, scl, join(BENCH_DIR, 'ndvi-ref.tif'), String(RUNS)], { encoding: 'utf8' }));
  console.log(`ndvi 10980x10980 end to end (read, mask, NDVI, COG): eofn ${two.seconds.toFixed(2)} s (2 workers), ${one.seconds.toFixed(2)} s (1 worker, --memory 1024); rasterio ${ref.seconds.toFixed(2)} s; ratio ${(two.seconds / ref.seconds).toFixed(2)} (1 worker ${(one.seconds / ref.seconds).toFixed(2)})`);
  console.log(`peak RSS of eofn run --workers 1 --memory 1024: ${one.peakRssMb} MB (limit 1024 MB); written COG valid for GDAL: ${cogValid}`);
  return { eofn: two.seconds, eofnOneWorker: one.seconds, reference: ref.seconds, peakRssMb: one.peakRssMb, cogValid };
}

function validates(path: string): boolean {
  const r = spawnSync('/usr/bin/python3', ['-m', 'osgeo_utils.samples.validate_cloud_optimized_geotiff', path], { encoding: 'utf8' });
  return r.status === 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  mkdirSync(BENCH_DIR, { recursive: true });
  await benchNdvi();
}
