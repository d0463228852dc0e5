/**
 * Runs a parcel-aggregate job through the engine's own steps (prepare, plan, every partition, finalize) into a
 * temporary folder and reads the table back with hyparquet: what the golden and partition tests share. The
 * table is a dataset, one file per partition; `rows` are all of them in parcel id order (each parcel's rows
 * in the order written), so tables of different partitionings compare row for row.
 *
 * @example
 * const { rows, plan } = await runParcelJob({ parcels, idProperty: 'ID', assets: ['red'] }, items, { memoryMb: 200 });
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parquetReadObjects } from 'hyparquet';
import { expect } from 'vitest';
import { finalizeJob, planJob, prepareJob, runPartition } from '../../../functions/core/engine/index.ts';
import { registerCoreStorages } from '../../../functions/core/io/registerCoreStorages.ts';

export const ROOT = resolve(import.meta.dirname, '../../..');
export const SI_ITEMS = ['S2B_33TWM_20230813_0_L2A', 'S2A_33TWM_20230818_0_L2A', 'S2B_33TWM_20230820_0_L2A']
  .map((id) => join(ROOT, 'test/fixtures/parcels/si-33TWM', id, `${id}.json`));
export const DK_ITEMS = [join(ROOT, 'test/fixtures/parcels/dk-synthetic/dk-synthetic.json')];
/** The same 3 dates on two overlapping tiles, 33TWM and 33TWL (scripts/golden/two_tiles.py). */
export const TWO_TILE_ITEMS = ['33TWM', '33TWL'].flatMap((tile) => [['S2B', '20230813'], ['S2A', '20230818'], ['S2B', '20230820']]
  .map(([sat, date]) => `${sat}_${tile}_${date}_0_L2A`))
  .map((id) => join(ROOT, 'test/fixtures/parcels/two-tiles', id, `${id}.json`));
export const SCL_MASK = { asset: 'scl', exclude: [0, 1, 3, 8, 9, 10] };

export type Row = Record<string, unknown>;

/** `output`: a folder to run into again (a re-run); a new temporary folder by default. */
export async function runParcelJob(params: Record<string, unknown>, items: unknown[], opts: { memoryMb?: number; minPartitions?: number; output?: string } = {}) {
  registerCoreStorages();
  const output = opts.output ?? mkdtempSync(join(tmpdir(), 'eofn-parcels-'));
  const prepared = await prepareJob({ op: 'parcel-aggregate', items, params, output });
  const plan = planJob(prepared, { memoryMb: opts.memoryMb ?? 1769, minPartitions: opts.minPartitions });
  for (const p of plan.partitions) await runPartition(prepared, p);
  const summary = await finalizeJob(prepared, plan);
  const format = (params.format as string | undefined) ?? 'parquet';
  const item = JSON.parse(readFileSync(join(output, 'item.json'), 'utf8'));
  const files = ((item.assets.data?.['eofn:files'] ?? []) as string[]).map((f) => join(output, f));
  const fileRows: Row[][] = format === 'parquet' ? await Promise.all(files.map(readParquetRows)) : [];
  return { output, files, fileRows, rows: byParcel(fileRows.flat()), plan, summary, item, prepared };
}

/** Rows stably sorted by parcel id: the dataset's files hold parcels in file order, each file its own. */
export function byParcel(rows: Row[]): Row[] {
  return rows.map((r, i) => ({ r, i })).sort((a, b) => (a.r.parcel_id === b.r.parcel_id ? a.i - b.i : String(a.r.parcel_id) < String(b.r.parcel_id) ? -1 : 1)).map((x) => x.r);
}

export async function readParquetRows(path: string): Promise<Row[]> {
  const buf = readFileSync(path);
  const file = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
  return parquetReadObjects({ file }) as Promise<Row[]>;
}

/** Golden CSV rows (written by scripts/golden/parcels.py): numbers parsed, empty statistics as null. */
export function readGoldenCsv(name: string): Row[] {
  const [header, ...lines] = readFileSync(join(ROOT, 'test/golden/parcel-aggregate', `${name}.csv`), 'utf8').trim().split('\n');
  const cols = header.split(',');
  return lines.map((line) => {
    const cells = line.split(',');
    return Object.fromEntries(cols.map((c, i) => {
      const v = cells[i];
      if (['parcel_id', 'item_id', 'datetime', 'band'].includes(c)) return [c, v];
      return [c, v === '' ? null : Number(v)];
    }));
  });
}

const GOLDEN_STATS = ['mean', 'std', 'min', 'max', 'p25', 'p50', 'p75'];

/** Same rows (in parcel id order, see `byParcel`): identical counts, statistics within float32 rounding of the reference. */
export function expectSameTable(actualRows: Row[], goldenRows: Row[]): void {
  const actual = byParcel(actualRows), golden = byParcel(goldenRows);
  expect(actual.length).toBe(golden.length);
  const countsDiffer = golden.filter((g, i) => g.count !== actual[i].count || g.nodata_count !== actual[i].nodata_count);
  expect(countsDiffer.map((g) => `${g.parcel_id} ${g.item_id} ${g.band}`)).toEqual([]);
  golden.forEach((g, i) => {
    const a = actual[i];
    expect([a.parcel_id, a.item_id, a.band]).toEqual([g.parcel_id, g.item_id, g.band]);
    expect((a.datetime as Date).getTime()).toBe(new Date(g.datetime as string).getTime());
    for (const s of GOLDEN_STATS) {
      if (g[s] === null) expect(a[s], `${g.parcel_id} ${g.band} ${s}`).toBeNull();
      else expect(Math.abs((a[s] as number) - (g[s] as number)), `${g.parcel_id} ${g.band} ${s}`).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(g[s] as number)));
    }
  });
}

