/**
 * Converting a parcel file without a spatial index in prepare: peak RSS and time of the streaming pass
 * (`indexParcelFile` today) against the old whole-file path (read whole with `readParcelBox`, `toParcels`,
 * `writeIndexedFlatGeobuf` in memory, one write), each in a fresh process, for the synthetic national parcels
 * of `bench/parcelsNational.ts` (N x N jittered quadrilaterals, ids "p<row>-<col>") as FlatGeobuf written by
 * GDAL without its index, GeoJSON written by GDAL, and GeoParquet without bbox columns (row groups of 50,000
 * rows, hyparquet-writer). Both paths must give the same bytes. Each runs again with V8's heap capped at
 * 128 MB, which shows live memory rather than what the GC lets grow: the streaming pass fits, the whole-file
 * path runs out. The load average is printed with the figures.
 *
 * Run alone: `npx node bench/indexParcels.ts [--sizes 316,775] [--formats fgb,geojson,parquet]` (99,856 and
 * 600,625 parcels, every format, by default).
 *
 * @example
 * const rows = await benchIndexParcels([316]); // [{ format, parcels, mode, seconds, peakRssMb }, …]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parquetWriteFile } from 'hyparquet-writer';
import { InputError } from '../functions/core/errors.ts';
import { epsgOf } from '../functions/core/geo/crs.ts';
import { registerCoreStorages } from '../functions/core/io/registerCoreStorages.ts';
import { storageFor } from '../functions/core/io/storage.ts';
import { indexParcelFile } from '../functions/core/ops/parcel-aggregate/indexParcelFile.ts';
import { readParcelBox } from '../functions/core/vector/readParcelBox.ts';
import { readParcelFile } from '../functions/core/vector/readParcelFile.ts';
import { toParcels } from '../functions/core/vector/toParcels.ts';
import { writeIndexedFlatGeobuf } from '../functions/core/vector/writeIndexedFlatGeobuf.ts';
import { wkbOf } from '../test/unit/vector/wkbOf.ts';
import { BENCH_DIR, ROOT } from './benchInputs.ts';

const NODE = join(ROOT, 'node_modules/.bin/node');
const FORMATS = ['fgb', 'geojson', 'parquet'] as const;
type Format = (typeof FORMATS)[number];

/** The unindexed inputs for N x N parcels, made once into `.bench/index-parcels/`. */
function ensureInputs(n: number): Record<Format, string> {
  const dir = join(BENCH_DIR, 'index-parcels');
  mkdirSync(dir, { recursive: true });
  const indexed = join(dir, `parcels-${n}.fgb`);
  const files = { fgb: join(dir, `parcels-${n}-noindex.fgb`), geojson: join(dir, `parcels-${n}.geojson`), parquet: join(dir, `parcels-${n}.parquet`) };
  if (!existsSync(indexed)) execFileSync('/usr/bin/python3', [join(ROOT, 'bench/reference/make_parcels_fgb.py'), indexed, String(n), String(n * 283.35)], { stdio: 'inherit' });
  if (!existsSync(files.fgb)) execFileSync('ogr2ogr', ['-f', 'FlatGeobuf', '-lco', 'SPATIAL_INDEX=NO', files.fgb, indexed]);
  if (!existsSync(files.geojson)) execFileSync('ogr2ogr', ['-f', 'GeoJSON', files.geojson, files.fgb]);
  if (!existsSync(files.parquet)) {
    const run = spawnSync(NODE, [fileURLToPath(import.meta.url), '--make-parquet', files.fgb, files.parquet], { stdio: 'inherit' });
    if (run.status !== 0) throw new Error('could not write the GeoParquet input');
  }
  return files;
}

async function makeParquet(from: string, to: string): Promise<void> {
  registerCoreStorages();
  const { features } = await readParcelFile(from);
  parquetWriteFile({
    filename: `${to}.tmp`,
    columnData: [
      { name: 'id', data: features.map((f) => f.properties.id as string) },
      { name: 'geometry', data: features.map((f) => wkbOf(f.geometry!)) },
    ],
    schema: [
      { name: 'root', num_children: 2 },
      { name: 'id', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
      { name: 'geometry', type: 'BYTE_ARRAY', repetition_type: 'REQUIRED' },
    ],
    rowGroupSize: 50_000,
    kvMetadata: [{ key: 'geo', value: JSON.stringify({ version: '1.1.0', primary_column: 'geometry', columns: { geometry: { encoding: 'WKB', crs: { id: { authority: 'EPSG', code: 32633 } } } } }) }],
  });
  renameSync(`${to}.tmp`, to);
}

/** One conversion in this process: the mode's path, timed; prints the target's href and the seconds. */
async function convertOnce(mode: 'stream' | 'whole', href: string, out: string): Promise<void> {
  registerCoreStorages();
  const start = performance.now();
  let target: string;
  if (mode === 'stream') {
    target = (await indexParcelFile({ href, idProperty: 'id' }, out)).href;
  } else {
    // The code path before streaming (indexParcelFile at commit 16c5870)
    const whole = await readParcelBox(href, undefined);
    toParcels(whole, { idProperty: 'id' });
    const epsg = epsgOf(whole.crs);
    if (epsg === undefined) throw new InputError(href, 'no EPSG code');
    target = join(out, '_eofn', 'parcels-whole.fgb');
    await storageFor(target).write(target, writeIndexedFlatGeobuf(whole.features, epsg), 'application/flatgeobuf');
  }
  console.log(`TARGET=${target}\nSECONDS=${((performance.now() - start) / 1000).toFixed(2)}`);
}

export interface IndexParcelsRow { format: Format; parcels: number; mb: number; mode: 'stream' | 'whole'; heapCapMb?: number; seconds?: number; peakRssMb?: number; outOfMemory?: boolean; load: number }

/** Each path as it runs by default, then with V8's heap capped: live memory, not what the GC lets grow. */
const RUNS: { mode: 'stream' | 'whole'; heapCapMb?: number }[] = [{ mode: 'stream' }, { mode: 'whole' }, { mode: 'stream', heapCapMb: 128 }, { mode: 'whole', heapCapMb: 128 }];

export async function benchIndexParcels(sizes = [316, 775], formats: readonly Format[] = FORMATS): Promise<IndexParcelsRow[]> {
  const rows: IndexParcelsRow[] = [];
  // What a process that loads the same modules and converts nothing holds.
  const idle = spawnSync(NODE, ['--import', join(ROOT, 'bench/reportPeakRss.ts'), fileURLToPath(import.meta.url), '--idle'], { encoding: 'utf8' });
  console.log(`idle process (modules loaded, nothing read): peak RSS ${/EOFN_PEAK_RSS_MB=(\d+)/.exec(idle.stderr)?.[1]} MB`);
  for (const n of sizes) {
    const files = ensureInputs(n);
    for (const format of formats) {
      const targets: string[] = [];
      for (const { mode, heapCapMb } of RUNS) {
        const out = join(BENCH_DIR, 'index-parcels', `out-${mode}${heapCapMb ? `-heap${heapCapMb}` : ''}`);
        rmSync(out, { recursive: true, force: true });
        const load = loadavg()[0];
        const cap = heapCapMb ? [`--max-old-space-size=${heapCapMb}`] : [];
        const run = spawnSync(NODE, [...cap, '--import', join(ROOT, 'bench/reportPeakRss.ts'), fileURLToPath(import.meta.url), '--one', mode, files[format], out], { encoding: 'utf8', maxBuffer: 1 << 24 });
        const outOfMemory = run.status !== 0 && /heap out of memory|Allocation failed/.test(run.stderr);
        if (run.status !== 0 && !(heapCapMb && outOfMemory)) throw new Error(`${mode} ${files[format]} failed: ${run.stderr}`);
        const row: IndexParcelsRow = {
          format, parcels: n * n, mb: statSync(files[format]).size / 2 ** 20, mode, heapCapMb, load, outOfMemory,
          seconds: outOfMemory ? undefined : Number(/SECONDS=([\d.]+)/.exec(run.stdout)?.[1]),
          peakRssMb: outOfMemory ? undefined : Number(/EOFN_PEAK_RSS_MB=(\d+)/.exec(run.stderr)?.[1]),
        };
        rows.push(row);
        if (!heapCapMb) targets.push(/TARGET=(.*)/.exec(run.stdout)![1]);
        const label = `${mode}${heapCapMb ? `, heap <= ${heapCapMb} MB` : ''}`;
        const figures = outOfMemory ? 'out of memory' : `${row.seconds!.toFixed(1).padStart(6)} s  peak RSS ${String(row.peakRssMb).padStart(5)} MB`;
        console.log(`${format.padEnd(8)} ${String(row.parcels).padStart(7)} parcels ${row.mb.toFixed(0).padStart(4)} MB  ${label.padEnd(24)} ${figures}  (load ${load.toFixed(2)})`);
      }
      if (!readFileSync(targets[0]).equals(readFileSync(targets[1]))) throw new Error(`${format} ${n * n}: the streaming and whole-file conversions differ`);
    }
  }
  return rows;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  if (args[0] === '--make-parquet') await makeParquet(args[1], args[2]);
  else if (args[0] === '--one') await convertOnce(args[1] as 'stream' | 'whole', args[2], args[3]);
  else if (args[0] === '--idle') registerCoreStorages();
  else {
    const value = (flag: string) => (args.includes(flag) ? args[args.indexOf(flag) + 1].split(',') : undefined);
    await benchIndexParcels(value('--sizes')?.map(Number), value('--formats') as Format[] | undefined);
  }
}

