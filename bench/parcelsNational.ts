/**
 * A national parcel file against one tile: 600,625 synthetic parcels over 2 x 2 MGRS tiles
 * (`.bench/parcels-600k.fgb`, 117 MB, FlatGeobuf with its R-tree, made by GDAL) and one full 10980 x 10980
 * band of 33TWM. `eofn run --workers 1 --memory 1024` must stay under 1,024 MB peak RSS: partitions read
 * only the parcels around their window, so memory follows a partition's own parcels, not the file. Pixel
 * counts of every parcel wholly inside the tile must equal rasterio.features.rasterize + numpy.bincount's;
 * records/s printed.
 *
 * Run alone: `npx node bench/parcelsNational.ts`.
 *
 * @example
 * const r = await benchParcelsNational(); // { seconds, peakRssMb, recordsPerSecond, reference }
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BENCH_DIR, ROOT, ensureSentinelTile } from './benchInputs.ts';
import { readParcelDataset } from './readParcelDataset.ts';
import { timeEofnRuns } from './timeEofnRuns.ts';

export async function benchParcelsNational() {
  const { red, item } = ensureSentinelTile();
  const parcels = join(BENCH_DIR, 'parcels-600k.fgb');
  if (!existsSync(parcels)) execFileSync('/usr/bin/python3', [join(ROOT, 'bench/reference/make_parcels_fgb.py'), parcels], { stdio: 'inherit' });
  const jobPath = join(BENCH_DIR, 'parcels-national-job.json');
  writeFileSync(jobPath, JSON.stringify({ op: 'parcel-aggregate', items: [item], params: { parcels, idProperty: 'id', assets: ['red'] }, output: 'parcels-national-out' }));
  const out = join(BENCH_DIR, 'parcels-national-out');
  const run = timeEofnRuns(jobPath, out, ['--workers', '1', '--memory', '1024'], 1);
  const rows = await readParcelDataset(out, ['parcel_id', 'count']);
  const refPath = join(BENCH_DIR, 'parcels-national-reference.json');
  const ref = JSON.parse(execFileSync('/usr/bin/python3', [join(ROOT, 'bench/reference/parcels_tile.py'), parcels, red, refPath], { encoding: 'utf8', maxBuffer: 1 << 26 }));
  const expected = JSON.parse(readFileSync(refPath, 'utf8')) as Record<string, number>;
  const ours = new Map(rows.map((r) => [r.parcel_id as string, r.count as number]));
  const differ = Object.entries(expected).filter(([id, c]) => ours.get(id) !== c);
  if (differ.length) throw new Error(`${differ.length} of ${Object.keys(expected).length} parcels inside the tile differ from rasterize + bincount, e.g. ${differ.slice(0, 3).map(([id, c]) => `${id}: eofn ${ours.get(id)}, reference ${c}`).join('; ')}`);
  const result = { seconds: run.seconds, peakRssMb: run.peakRssMb, rows: rows.length, recordsPerSecond: rows.length / run.seconds, reference: ref, phases: run.phases };
  console.log(`parcels-national 600,625 parcels (FlatGeobuf ${(readFileSync(parcels).length / 2 ** 20).toFixed(0)} MB) x one 10980x10980 band: eofn ${run.seconds.toFixed(1)} s at --workers 1 --memory 1024, ` +
    `${rows.length} rows (${Math.round(result.recordsPerSecond)} records/s), peak RSS ${run.peakRssMb} MB; reference (OGR + rasterize + bincount, counts only) ${ref.seconds.toFixed(1)} s; ` +
    `counts identical for all ${Object.keys(expected).length} parcels inside the tile`);
  console.log(`phases (s): eofn ${Object.entries(run.phases).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', ')}; reference ${Object.entries(ref.phases as Record<string, number>).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', ')}`);
  return result;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await benchParcelsNational();
}
