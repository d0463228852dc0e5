/**
 * Parcel statistics for 50,000 polygons over a full 10980 x 10980 band: `eofn run` of parcel-aggregate (a
 * separate process, as a user runs it; count, nodata_count, mean, std, min, max, p25, p50, p75 to Parquet)
 * against rasterio.features.rasterize + numpy.bincount (count, mean, std only) on the same machine. The
 * parcels are a deterministic grid of jittered, non-overlapping quadrilaterals on a 490 m spacing (8 ha on
 * average, about 820 pixels) written to `.bench/parcels-50k.geojson`. Pixel counts of both must agree (a checksum of count per
 * parcel). Also the peak RSS of `eofn run --workers 1 --memory 1024`.
 *
 * Run alone: `npx node bench/parcels.ts`.
 *
 * @example
 * const r = await benchParcels(); // { eofn, reference, recordsPerSecond, peakRssMb }
 */
import { execFileSync } from 'node:child_process';
import { timeEofnRuns } from './timeEofnRuns.ts';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readParcelDataset } from './readParcelDataset.ts';
import { BENCH_DIR, ROOT, ensureSentinelTile } from './benchInputs.ts';

const RUNS = 3;
const SIDE = 224; // 224 x 224 = 50,176 parcels
const ORIGIN_X = 499980, ORIGIN_Y = 5200020, EXTENT = 109800;

export interface ParcelsBench {
  eofn: number; eofnOneWorker: number; reference: number; recordsPerSecond: number; referenceRecordsPerSecond: number; peakRssMb: number;
  /** Median seconds per phase of the 1-worker run (as `eofn run` reports them) and of the reference. */
  phases: { eofn: Record<string, number>; reference: Record<string, number> };
}

export async function benchParcels(): Promise<ParcelsBench> {
  const { red, item } = ensureSentinelTile();
  const parcels = ensureParcels();
  const jobPath = join(BENCH_DIR, 'parcels-job.json');
  writeFileSync(jobPath, JSON.stringify({
    op: 'parcel-aggregate', items: [item],
    params: { parcels, idProperty: 'id', assets: ['red'] },
    output: 'parcels-out',
  }));
  const out = join(BENCH_DIR, 'parcels-out');
  const two = timeEofnRuns(jobPath, out, ['--workers', '2'], RUNS);
  const one = timeEofnRuns(jobPath, out, ['--workers', '1', '--memory', '1024'], RUNS);
  const ours = await checksumOf(join(BENCH_DIR, 'parcels-out'));
  const ref = JSON.parse(execFileSync('/usr/bin/python3', [join(ROOT, 'bench/reference/parcels.py'), parcels, red, String(RUNS)], { encoding: 'utf8', maxBuffer: 1 << 26 }));
  if (ours.checksum !== ref.checksum || ours.pixels !== ref.pixels) {
    throw new Error(`pixel counts differ: eofn ${ours.pixels} px (checksum ${ours.checksum}), rasterio ${ref.pixels} px (checksum ${ref.checksum})`);
  }
  const n = SIDE * SIDE;
  const result = {
    eofn: two.seconds, eofnOneWorker: one.seconds, reference: ref.seconds,
    recordsPerSecond: n / two.seconds, referenceRecordsPerSecond: n / ref.seconds, peakRssMb: one.peakRssMb,
    phases: { eofn: one.phases, reference: ref.phases as Record<string, number> },
  };
  console.log(`parcels ${n} polygons x 10980x10980 band (read, rasterize, stats, Parquet): eofn ${two.seconds.toFixed(2)} s (2 workers), ${one.seconds.toFixed(2)} s (1 worker, --memory 1024); ` +
    `rasterio+bincount ${ref.seconds.toFixed(2)} s (no percentiles, no table); ratio ${(two.seconds / ref.seconds).toFixed(2)} (1 worker ${(one.seconds / ref.seconds).toFixed(2)})`);
  console.log(`parcel-records/s: eofn ${Math.round(result.recordsPerSecond)} (1 worker ${Math.round(n / one.seconds)}), reference ${Math.round(result.referenceRecordsPerSecond)}; ` +
    `identical pixel counts (${ours.pixels} px); peak RSS of eofn run --workers 1 --memory 1024: ${one.peakRssMb} MB`);
  const list = (p: Record<string, number>) => Object.entries(p).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', ');
  console.log(`phases (s): eofn 1 worker: process start ${(one.seconds - (one.phases.total ?? one.seconds)).toFixed(2)}, ${list(one.phases)}; reference: ${list(result.phases.reference)}`);
  return result;
}

/** A deterministic grid of jittered quadrilaterals over tile 33TWM, EPSG:32633, ids "p<row>-<col>". */
export function ensureParcels(): string {
  const path = join(BENCH_DIR, 'parcels-50k.geojson');
  if (existsSync(path)) return path;
  mkdirSync(BENCH_DIR, { recursive: true });
  let seed = 42;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const step = EXTENT / SIDE;
  const features: unknown[] = [];
  for (let r = 0; r < SIDE; r++) {
    for (let c = 0; c < SIDE; c++) {
      const x0 = ORIGIN_X + c * step, y0 = ORIGIN_Y - (r + 1) * step;
      // Each corner moves inwards by 2 ... 40 % of the spacing: quadrilaterals never overlap.
      const j = () => step * (0.02 + 0.38 * rand());
      const ring = [[x0 + j(), y0 + j()], [x0 + step - j(), y0 + j()], [x0 + step - j(), y0 + step - j()], [x0 + j(), y0 + step - j()]];
      ring.push(ring[0]);
      features.push({ type: 'Feature', properties: { id: `p${r}-${c}` }, geometry: { type: 'Polygon', coordinates: [ring] } });
    }
  }
  writeFileSync(path, JSON.stringify({ type: 'FeatureCollection', crs: { type: 'name', properties: { name: 'urn:ogc:def:crs:EPSG::32633' } }, features }));
  return path;
}

/** The reference's checksum: count × (file index + 1), the file index read back from the id `p<row>-<col>`. */
async function checksumOf(output: string): Promise<{ pixels: number; checksum: number }> {
  const rows = await readParcelDataset(output, ['parcel_id', 'count']);
  let pixels = 0, checksum = 0;
  for (const row of rows) {
    const [r, c] = (row.parcel_id as string).slice(1).split('-').map(Number);
    pixels += row.count as number;
    checksum += (row.count as number) * (r * SIDE + c + 1);
  }
  return { pixels, checksum };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await benchParcels();
}
