/**
 * A dataset-writing job re-run into the same output with another plan leaves exactly the new plan's files
 * under `table/`: DuckDB, reading the folder as the README says, counts each parcel's rows once. The finalize
 * may run twice, and deletes nothing outside the output's `table/`.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { finalizeJob } from '../../../functions/core/engine/index.ts';
import { pruneDatasets } from '../../../functions/core/engine/pruneDatasets.ts';
import { registerCoreStorages } from '../../../functions/core/io/registerCoreStorages.ts';
import { DK_ITEMS, ROOT, runParcelJob } from '../ops/parcelTestKit.ts';

const DK = { parcels: `${ROOT}/sample-data/parcels/dk-marker-2026.geojson`, idProperty: ['Journalnr', 'Marknr'], assets: ['value'] };

async function duckCount(glob: string): Promise<{ n: bigint; parcels: bigint; perParcelDate: bigint }> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const db = await (await DuckDBInstance.create(':memory:')).connect();
  const read = await db.runAndReadAll(`SELECT count(*) AS n, count(DISTINCT parcel_id) AS parcels,
    (SELECT max(c) FROM (SELECT count(*) AS c FROM read_parquet('${glob}') GROUP BY parcel_id, item_id, band)) AS perParcelDate
    FROM read_parquet('${glob}')`);
  return read.getRowObjectsJS()[0] as { n: bigint; parcels: bigint; perParcelDate: bigint };
}

describe('pruneDatasets', () => {
  it('a re-run with another --memory leaves only its own files: DuckDB reads each parcel row once', async () => {
    // Prepare: a first run cut into several partitions, and a file of the user's beside the dataset
    const first = await runParcelJob(DK, DK_ITEMS, { minPartitions: 3 });
    writeFileSync(join(first.output, 'notes.parquet'), 'mine');
    mkdirSync(join(first.output, 'table-old'));
    writeFileSync(join(first.output, 'table-old', 'x.parquet'), 'mine');
    const before = readdirSync(join(first.output, 'table'));
    // Act: the same job into the same output, in one partition
    const second = await runParcelJob(DK, DK_ITEMS, { memoryMb: 8192, output: first.output });
    // Assess
    expect(before.length).toBeGreaterThanOrEqual(3);
    expect(second.files).toHaveLength(1);
    expect(readdirSync(join(first.output, 'table')).map((f) => `./table/${f}`)).toEqual(second.item.assets.data['eofn:files']);
    const read = await duckCount(`${first.output}/table/*.parquet`);
    expect(read).toEqual({ n: BigInt(second.rows.length), parcels: BigInt(new Set(second.rows.map((r) => r.parcel_id)).size), perParcelDate: 1n });
    expect(read.n).toBe(BigInt(first.rows.length));
    expect(readFileSync(join(first.output, 'notes.parquet'), 'utf8')).toBe('mine');
    expect(readFileSync(join(first.output, 'table-old', 'x.parquet'), 'utf8')).toBe('mine');
  }, 120_000);

  it('a finalize that runs twice leaves the same product and deletes nothing more', async () => {
    // Prepare
    const run = await runParcelJob(DK, DK_ITEMS, { minPartitions: 3 });
    const files = readdirSync(join(run.output, 'table')).sort();
    const item = readFileSync(join(run.output, 'item.json'), 'utf8');
    // Act
    await finalizeJob(run.prepared, run.plan);
    // Assess
    expect(readdirSync(join(run.output, 'table')).sort()).toEqual(files);
    expect(readFileSync(join(run.output, 'item.json'), 'utf8')).toBe(item);
    expect(await pruneDatasets(run.output, run.summary)).toEqual([]);
  }, 120_000);

  it('lists and deletes only under the folder the asset names inside the output, never through a link', async () => {
    // Prepare
    registerCoreStorages();
    const out = mkdtempSync(join(tmpdir(), 'eofn-prune-'));
    const elsewhere = mkdtempSync(join(tmpdir(), 'eofn-prune-elsewhere-'));
    mkdirSync(join(out, 'table', 'nested'), { recursive: true });
    for (const f of ['table/a.parquet', 'table/b.parquet', 'table/nested/c.parquet', 'tables.parquet', 'other.csv']) writeFileSync(join(out, f), f);
    writeFileSync(join(elsewhere, 'z.parquet'), 'keep');
    const summary = (href: string, files: string[]) => ({ assets: { data: { href, type: 'application/vnd.apache.parquet', roles: ['data'], 'eofn:files': files } } });
    // Act
    const removed = await pruneDatasets(`file://${out}`, summary('./table/', ['./table/a.parquet']));
    // Assess: the URL and path spellings of one file are one file; outside table/ nothing moves
    expect(removed.map((h) => h.replace(`file://${out}/`, ''))).toEqual(['table/b.parquet', 'table/nested/c.parquet']);
    expect(readdirSync(join(out, 'table')).sort()).toEqual(['a.parquet', 'nested']);
    expect(readdirSync(out).sort()).toEqual(['other.csv', 'table', 'tables.parquet']);
    await expect(pruneDatasets(out, summary('../', []))).rejects.toThrow('dataset asset ../: not a folder inside the output; nothing deleted');
    await expect(pruneDatasets(out, summary('/etc/', []))).rejects.toThrow('not a folder inside the output');
    // A dataset folder that is a link to another folder: the delete refuses to follow it
    symlinkSync(elsewhere, join(out, 'linked'));
    await expect(pruneDatasets(out, summary('./linked/', []))).rejects.toThrow('is a symbolic link');
    expect(readFileSync(join(elsewhere, 'z.parquet'), 'utf8')).toBe('keep');
  });
});
