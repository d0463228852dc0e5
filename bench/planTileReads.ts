/**
 * `npm run bench -- plan-tile-reads`: what planning a country fanned out reads and converts. The Denmark job of
 * `scripts/scale/make_country.py` (28 tiles, 1,023 items, 600,000 parcels) is given as a partner would give
 * it at its worst: items as hrefs to item JSON files, and the parcels as a FlatGeobuf without its spatial
 * index (GDAL, `SPATIAL_INDEX=NO`). The jobs stage (`acceptJob`, fan-out over 1 tile) then every `plan-tile`
 * (`planTileOf`) run in this process one after the other, each as a new process would (what a process keeps,
 * the converted file, forgotten in between), through a storage scheme that counts: item JSON reads, passes
 * over the parcel file (reads at its byte 0), the indexed file written. The load average is printed.
 *
 * @example
 * /usr/bin/python3 scripts/scale/make_country.py .bench/dk   # once
 * npm run bench -- plan-tile-reads
 * npx node bench/planTileReads.ts --dir=.bench/dk --tiles=28
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { registerLocalStorages } from '../functions/adapters/local/registerLocalStorages.ts';
import { FileStorage } from '../functions/core/io/fileStorage.ts';
import { acceptJob, planTileOf } from '../functions/core/lifecycle/index.ts';
import * as indexing from '../functions/core/ops/parcel-aggregate/indexParcelFile.ts';
import { registerSchemeOverFiles } from '../test/helpers/schemeOverFiles.ts';
import { BENCH_DIR } from './benchInputs.ts';
import { mapStore } from './planHeap.ts';

export interface PlanTileReadsReport {
  tiles: number;
  items: number;
  /** Item JSON reads, conversions (passes over the parcel file, indexed files written) and seconds, per stage. */
  jobs: { itemReads: number; passes: number; written: number; seconds: number };
  planTiles: { itemReads: number; passes: number; written: number; seconds: number; failed: number };
  load: number;
}

export async function benchPlanTileReads(argv: string[] = []): Promise<PlanTileReadsReport> {
  const { values } = parseArgs({ args: argv, strict: false, options: { dir: { type: 'string' }, tiles: { type: 'string' } } });
  const dk = resolve(String(values.dir ?? join(BENCH_DIR, 'dk')));
  if (!existsSync(join(dk, 'job.json'))) throw new Error(`${dk}/job.json: make it first with /usr/bin/python3 scripts/scale/make_country.py ${dk}`);
  const inputs = join(dk, 'plan-tile-reads');
  const { job, parcels, itemCount } = hrefJob(dk, inputs);
  const output = join(inputs, 'out');
  rmSync(output, { recursive: true, force: true });

  registerLocalStorages();
  const counts = { itemReads: 0, passes: 0, written: 0 };
  // Passes over the parcel file: the bytes read of it over its size (its header read alone is not one).
  const parcelBytes = statSync(parcels).size;
  registerSchemeOverFiles('counting', new FileStorage(), (read) => async (href, offset, length) => {
    const bytes = await read(href, offset, length);
    if (href === `counting:/${parcels}`) counts.passes += bytes.length / parcelBytes;
    return bytes;
  }, {
    readAll: (href) => { if (href.includes('/items/')) counts.itemReads++; },
    write: (href) => { if (href.endsWith('.fgb')) counts.written++; },
  });
  const raw = { ...job, params: { ...job.params, parcels: `counting:/${parcels}` }, output: `counting:/${output}`, id: 'dk-plan-tile-reads' };
  const { store } = mapStore();
  const take = (start: number) => {
    const stage = { ...counts, seconds: (performance.now() - start) / 1000 };
    Object.assign(counts, { itemReads: 0, passes: 0, written: 0 });
    return stage;
  };

  console.log(`plan-tile-reads: ${dk} (${itemCount} items as hrefs, parcels without a spatial index), load ${loadavg()[0].toFixed(1)}`);
  let start = performance.now();
  const accepted = await acceptJob({ read: async () => ({ raw, base: join(inputs, 'job.json') }), received: {} }, { store, memoryMbOf: () => 1769, minPartitions: 1, planFanOutTiles: 1 });
  if (accepted.outcome !== 'accepted' || accepted.work.kind !== 'plan-tiles') throw new Error(`expected plan-tiles, got ${JSON.stringify(accepted).slice(0, 400)}`);
  const jobs = take(start);
  console.log(`jobs stage: ${jobs.itemReads} item reads, ${jobs.passes.toFixed(2)} pass(es) over the parcel file, ${jobs.written} indexed file(s) written, ${jobs.seconds.toFixed(1)} s`);

  const keys = accepted.work.tiles.slice(0, Number(values.tiles ?? accepted.work.tiles.length));
  let failed = 0;
  start = performance.now();
  for (const tile of keys) {
    // Each plan-tile is a function invocation of its own: nothing converted by an earlier one is known.
    (indexing as { forgetIndexedParcelFiles?: () => void }).forgetIndexedParcelFiles?.();
    const result = await planTileOf({ kind: 'plan-tile', jobId: accepted.jobId, tile }, { store, send: async () => undefined });
    if (result.outcome === 'failed') {
      failed++;
      console.log(`  ${tile}: ${result.error}`);
    }
  }
  const planTiles = { ...take(start), failed };
  console.log(`${keys.length} plan-tiles: ${planTiles.itemReads} item reads, ${planTiles.passes.toFixed(2)} pass(es) over the parcel file, ${planTiles.written} indexed file(s) written, ${planTiles.seconds.toFixed(1)} s (${(planTiles.seconds / keys.length).toFixed(1)} s a tile), ${failed} failed (load ${loadavg()[0].toFixed(1)})`);
  return { tiles: keys.length, items: itemCount, jobs, planTiles, load: loadavg()[0] };
}

/** The Denmark job with its items written out as files and its parcels without a spatial index (made once). */
function hrefJob(dk: string, dir: string): { job: { params: Record<string, unknown> } & Record<string, unknown>; parcels: string; itemCount: number } {
  const job = JSON.parse(readFileSync(join(dk, 'job.json'), 'utf8'));
  mkdirSync(join(dir, 'items'), { recursive: true });
  const hrefs: string[] = [];
  for (const item of job.items as { id: string }[]) {
    const file = join(dir, 'items', `${item.id}.json`);
    if (!existsSync(file)) writeFileSync(file, JSON.stringify(item));
    hrefs.push(`counting:/${file}`);
  }
  const parcels = join(dir, 'parcels-noindex.fgb');
  if (!existsSync(parcels)) execFileSync('ogr2ogr', ['-f', 'FlatGeobuf', '-lco', 'SPATIAL_INDEX=NO', parcels, resolve(dk, job.params.parcels)]);
  return { job: { ...job, items: hrefs }, parcels, itemCount: hrefs.length };
}

if (import.meta.main) await benchPlanTileReads(process.argv.slice(2));
